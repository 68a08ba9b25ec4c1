# oversight: the station report and the heads' reviews (services/oversight).
# Its unit tests include the service's own headers.
$(BUILD)/services/oversight/tests/%.o: CFLAGS += -Iservices/oversight
