# safety-audit: procedures, training, inspections, hazards and the audit
# trail (services/safety-audit). Its unit tests include the service's own
# headers.
$(BUILD)/services/safety-audit/tests/%.o: CFLAGS += -Iservices/safety-audit
