# finance: budgets, expense claims, the journal, reconciliation and major
# expenditure (services/finance). Its unit tests include the service's own
# headers.
$(BUILD)/services/finance/tests/%.o: CFLAGS += -Iservices/finance
