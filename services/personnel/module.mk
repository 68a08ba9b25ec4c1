# personnel: departments, positions, staff and tokens (services/personnel).
# Its unit tests include the service's own headers.
$(BUILD)/services/personnel/tests/%.o: CFLAGS += -Iservices/personnel
