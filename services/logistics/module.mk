# logistics: the vehicle register and trip requests (services/logistics).
# Its unit tests include the service's own headers.
$(BUILD)/services/logistics/tests/%.o: CFLAGS += -Iservices/logistics
