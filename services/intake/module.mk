# intake: unit tests include the service's headers; bench/cases links the
# service objects for its loader (recursive '=': intake_OBJ comes later).
$(BUILD)/services/intake/tests/%.o: CFLAGS += -Iservices/intake
$(BUILD)/bench/cases/%.o: CFLAGS += -Iservices/intake
BENCH_cases_OBJ = $(intake_OBJ)
# bench/search loads cases through intake's commit path.
$(BUILD)/bench/search/%.o: CFLAGS += -Iservices/intake
BENCH_search_OBJ = $(intake_OBJ)
