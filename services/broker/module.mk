# broker: the Majordomo broker (services/broker). Tests and the benchmark
# include broker.h; the benchmark links the broker's objects (recursive '=':
# broker_OBJ is defined after this file is read).
$(BUILD)/services/broker/tests/%.o: CFLAGS += -Iservices/broker
$(BUILD)/bench/broker/%.o: CFLAGS += -Iservices/broker
BENCH_broker_OBJ = $(broker_OBJ)
