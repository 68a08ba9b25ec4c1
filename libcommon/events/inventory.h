// events/inventory.h — the event types inventory publishes on
// sm:{inventory}:outbox (relayed as evt.<type>). Inventory and every
// consumer name them here only; docs/asyncapi.yaml describes each one's
// data, and `make lint-events` checks that both list the same types.
#ifndef LIBCOMMON_EVENTS_INVENTORY_H
#define LIBCOMMON_EVENTS_INVENTORY_H

#define INVENTORY_EVENT_ITEM_CREATED "inventory.item.created"
#define INVENTORY_EVENT_ITEM_UPDATED "inventory.item.updated"
#define INVENTORY_EVENT_STOCK_MOVED  "inventory.stock.moved"
#define INVENTORY_EVENT_STOCK_LOW    "inventory.stock.low"
// An item's stored-goods check fell due (once per due date).
#define INVENTORY_EVENT_ITEM_CHECK_DUE "inventory.item.check_due"

#define INVENTORY_EVENT_SUPPLIER_CREATED    "inventory.supplier.created"
#define INVENTORY_EVENT_SUPPLIER_UPDATED    "inventory.supplier.updated"
#define INVENTORY_EVENT_SUPPLIER_QUALIFIED  "inventory.supplier.qualified"
#define INVENTORY_EVENT_SUPPLIER_EVALUATED  "inventory.supplier.evaluated"
#define INVENTORY_EVENT_SUPPLIER_SUSPENDED  "inventory.supplier.suspended"
#define INVENTORY_EVENT_SUPPLIER_REINSTATED "inventory.supplier.reinstated"

#define INVENTORY_EVENT_PLAN_CREATED   "inventory.procurement_plan.created"
#define INVENTORY_EVENT_PLAN_UPDATED   "inventory.procurement_plan.updated"
#define INVENTORY_EVENT_PLAN_SUBMITTED "inventory.procurement_plan.submitted"
#define INVENTORY_EVENT_PLAN_APPROVED  "inventory.procurement_plan.approved"
#define INVENTORY_EVENT_PLAN_REJECTED  "inventory.procurement_plan.rejected"
#define INVENTORY_EVENT_PLAN_WITHDRAWN "inventory.procurement_plan.withdrawn"

#define INVENTORY_EVENT_ORDER_CREATED   "inventory.purchase_order.created"
#define INVENTORY_EVENT_ORDER_UPDATED   "inventory.purchase_order.updated"
#define INVENTORY_EVENT_ORDER_SUBMITTED "inventory.purchase_order.submitted"
#define INVENTORY_EVENT_ORDER_STEP_APPROVED                                    \
    "inventory.purchase_order.step_approved"
#define INVENTORY_EVENT_ORDER_APPROVED        "inventory.purchase_order.approved"
#define INVENTORY_EVENT_ORDER_REJECTED        "inventory.purchase_order.rejected"
#define INVENTORY_EVENT_ORDER_ORDERED         "inventory.purchase_order.ordered"
#define INVENTORY_EVENT_ORDER_RECEIVED        "inventory.purchase_order.received"
#define INVENTORY_EVENT_ORDER_CLOSED          "inventory.purchase_order.closed"
#define INVENTORY_EVENT_ORDER_CANCELLED       "inventory.purchase_order.cancelled"
#define INVENTORY_EVENT_REQUISITION_CREATED   "inventory.requisition.created"
#define INVENTORY_EVENT_REQUISITION_UPDATED   "inventory.requisition.updated"
#define INVENTORY_EVENT_REQUISITION_SUBMITTED "inventory.requisition.submitted"
#define INVENTORY_EVENT_REQUISITION_STEP_APPROVED                              \
    "inventory.requisition.step_approved"
#define INVENTORY_EVENT_REQUISITION_RETURNED  "inventory.requisition.returned"
#define INVENTORY_EVENT_REQUISITION_CANCELLED "inventory.requisition.cancelled"
#define INVENTORY_EVENT_REQUISITION_ISSUED    "inventory.requisition.issued"
#define INVENTORY_EVENT_REQUISITION_REJECTED  "inventory.requisition.rejected"
#define INVENTORY_EVENT_REQUISITION_RETURNED_GOODS                             \
    "inventory.requisition.goods_returned"

#define INVENTORY_EVENT_COUNT_CREATED       "inventory.count.created"
#define INVENTORY_EVENT_COUNT_RECORDED      "inventory.count.recorded"
#define INVENTORY_EVENT_COUNT_SUBMITTED     "inventory.count.submitted"
#define INVENTORY_EVENT_COUNT_STEP_APPROVED "inventory.count.step_approved"
#define INVENTORY_EVENT_COUNT_APPROVED      "inventory.count.approved"
#define INVENTORY_EVENT_COUNT_RETURNED      "inventory.count.returned"
#define INVENTORY_EVENT_COUNT_POSTED        "inventory.count.posted"
#define INVENTORY_EVENT_COUNT_CANCELLED     "inventory.count.cancelled"
// A count asked of dispatch as work (services/dispatch/work_request.h).
#define INVENTORY_EVENT_COUNT_WORK_REQUESTED "inventory.count.work_requested"

#define INVENTORY_EVENT_CHECK_CREATED   "inventory.stock_check.created"
#define INVENTORY_EVENT_CHECK_RECORDED  "inventory.stock_check.recorded"
#define INVENTORY_EVENT_CHECK_COMPLETED "inventory.stock_check.completed"
#define INVENTORY_EVENT_CHECK_STEP_APPROVED                                    \
    "inventory.stock_check.step_approved"
#define INVENTORY_EVENT_CHECK_REJECTED  "inventory.stock_check.rejected"
#define INVENTORY_EVENT_CHECK_CANCELLED "inventory.stock_check.cancelled"
// Approved: the damaged and expired goods left stock (write_off entries).
#define INVENTORY_EVENT_CHECK_WRITTEN_OFF "inventory.stock_check.written_off"

// An equipment line of an order was accepted: assets registers it.
#define INVENTORY_EVENT_EQUIPMENT_RECEIVED "inventory.equipment.received"

#endif
