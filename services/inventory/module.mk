# inventory: the catalogue and the append-only stock ledger
# (services/inventory). Its unit tests include the service's own headers.
$(BUILD)/services/inventory/tests/%.o: CFLAGS += -Iservices/inventory
