# safety-audit: procedures, training, inspections, hazards and the audit
# trail (services/safety-audit). Its unit tests include the service's own
# headers.
$(BUILD)/services/safety-audit/tests/%.o: CFLAGS += -Iservices/safety-audit
# bench/audit links the service objects (the chain's append and hash).
$(BUILD)/bench/audit/%.o: CFLAGS += -Iservices/safety-audit
BENCH_audit_OBJ = $(safety-audit_OBJ)
