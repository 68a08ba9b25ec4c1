# finance: budgets, expense claims, the journal, reconciliation and major
# expenditure (services/finance). Its unit tests include the service's own
# headers; bench/finance links the service objects for its reconciliation
# run (recursive '=': finance_OBJ comes later).
$(BUILD)/services/finance/tests/%.o: CFLAGS += -Iservices/finance
$(BUILD)/bench/finance/%.o: CFLAGS += -Iservices/finance
BENCH_finance_OBJ = $(finance_OBJ)
