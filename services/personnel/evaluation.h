// evaluation — multi-rater performance evaluation (docs/domain.md, ch. 3):
// two cm_doc types.
//
// Cycles (EC-n at /v1/evaluation-cycles): {title, department, period
// {start, end}, indicators [{name, weight}] (weights sum to 100),
// rater_weights {supervisor, peer, self, customer} (sum to 100)}; state
// open → close → closed. Drafted by the department's managers (the
// station head, the deputy head overseeing it, its head).
//
// Evaluations (EV-n at /v1/evaluations): one per person and cycle
// {cycle, staff, department, period, scores: {supervisor, peers [],
// self, customer}, final_score, grade, feedback, improvement_plan,
// approval}. Process:
//   open: `score` {as: supervisor | peer | self, scores {indicator: 0-100}}
//         — the department's head as supervisor, a colleague of the
//         department as peer (one each, replaced when given again), the
//         person as self; `score-customers` (the department's managers)
//         asks intake (cm_call, POST /internal/satisfaction) for the
//         person's confirms in the cycle's period: the figures equal
//         GET /v1/reports/satisfaction?staff=&from=&to= for the same
//         period, and the customer score is the average (1-5) × 20;
//   finalize (the department's head): the final score is the rater
//         weights over the raters that scored (peers averaged; a rater's
//         score is the indicator weights over its scores), the grade A
//         (≥ 90), B (≥ 75), C (≥ 60) or D; feedback is required, an
//         improvement plan too for C and D; it takes the first step of
//         the `evaluation` chain (finalize:dept_head, confirm:deputy_head)
//         → pending;
//   pending: `confirm` (the deputy head overseeing the department) →
//         final; `reject` (reason) → open, finalize again.
// Read by the person, the department's managers and auditors.
#ifndef PERSONNEL_EVALUATION_H
#define PERSONNEL_EVALUATION_H

#include <jansson.h>
#include <stdint.h>

#include "cm_ctx.h"
#include "cm_doc.h"

#define EVALUATION_INDICATORS_MAX 10
#define EVALUATION_RATERS         "supervisor peer self customer"

extern const cm_doc_type_t cycle_type;
extern const cm_workflow_t cycle_workflow;
extern const cm_doc_type_t evaluation_type;
extern const cm_workflow_t evaluation_workflow;

// Check a cycle's create body (weights sum to 100, indicator names once,
// period end not before start). NULL or a 400 problem. Pure.
json_t *evaluation_validate_cycle(const json_t *body);

// One rater's score: the indicator weights (cycle `indicators`) over
// scores ({name: 0-100}), 0-100 rounded to 2 decimals; -1 when an
// indicator has no score. Pure.
double evaluation_rater_score(const json_t *indicators, const json_t *scores);

// The final score of an evaluation's `scores` under rater_weights (only
// raters with a score count, their weights renormalised); -1 when no
// rater scored. Pure.
double evaluation_final_score(const json_t *rater_weights,
                              const json_t *scores);

// "A" (≥ 90), "B" (≥ 75), "C" (≥ 60), else "D". Pure.
const char *evaluation_grade(double score);

// Handlers.
void cycle_create(cm_ctx_t *ctx);
void cycle_list(cm_ctx_t *ctx);
void cycle_get(cm_ctx_t *ctx);
void cycle_act(cm_ctx_t *ctx);
void evaluation_create(cm_ctx_t *ctx);
void evaluation_list(cm_ctx_t *ctx);
void evaluation_get(cm_ctx_t *ctx);
void evaluation_history(cm_ctx_t *ctx);
void evaluation_act(cm_ctx_t *ctx);

#endif
