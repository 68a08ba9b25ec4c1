# assets: the equipment register (services/assets). Its unit tests include
# the service's own headers.
$(BUILD)/services/assets/tests/%.o: CFLAGS += -Iservices/assets
