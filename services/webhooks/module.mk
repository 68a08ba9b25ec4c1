# webhooks: signed outbound webhooks (services/webhooks). Its unit tests
# include the service's own headers.
$(BUILD)/services/webhooks/tests/%.o: CFLAGS += -Iservices/webhooks
