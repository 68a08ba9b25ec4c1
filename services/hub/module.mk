# hub: relays outbox streams (services/hub). Its tests and bench/outbox
# include hub.h; the benchmark links the hub's objects (recursive '=':
# hub_OBJ is defined after this file is read).
$(BUILD)/services/hub/tests/%.o: CFLAGS += -Iservices/hub
$(BUILD)/bench/outbox/%.o: CFLAGS += -Iservices/hub
BENCH_outbox_OBJ = $(hub_OBJ)
