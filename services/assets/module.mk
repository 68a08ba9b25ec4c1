# assets: the equipment register (services/assets). Its unit tests include
# the service's own headers.
$(BUILD)/services/assets/tests/%.o: CFLAGS += -Iservices/assets
# bench/assets links the service objects (the document types it writes).
$(BUILD)/bench/assets/%.o: CFLAGS += -Iservices/assets
BENCH_assets_OBJ = $(assets_OBJ)
