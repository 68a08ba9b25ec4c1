# gateway: HTTP in, MDP out (services/gateway). It links the broker's
# objects: with gateway/embed_broker the broker runs inside it as an actor.
gateway_EXTRA_SRC := $(filter-out services/broker/main.c,$(wildcard services/broker/*.c))
$(BUILD)/services/gateway/%.o: CFLAGS += -Iservices/broker
