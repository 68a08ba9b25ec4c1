// cm_approval: the matrix (the repository's config/approvals.cfg and bad
// files) and who may take a step. Pure; the effects run in test_cm_kit.
#include <string.h>

#include "cm_approval.h"
#include "suites.h"

static cm_approvals_t *
s_repo_matrix(void)
{
    char error[256] = "";
    cm_approvals_t *matrix =
        cm_approvals_load("config/approvals.cfg", error, sizeof error);
    ck_assert_msg(matrix != NULL, "config/approvals.cfg: %s", error);
    return matrix;
}

// The names of a chain's steps joined by spaces.
static void
s_names(const json_t *steps, char *out, size_t size)
{
    out[0] = '\0';
    for (size_t i = 0; i < json_array_size(steps); i++) {
        const char *name = json_string_value(
            json_object_get(json_array_get(steps, i), "name"));
        strncat(out, i ? " " : "", size - strlen(out) - 1);
        strncat(out, name, size - strlen(out) - 1);
    }
}

START_TEST(test_cm_approval_repo_matrix_bands)
{
    cm_approvals_t *matrix = s_repo_matrix();
    char names[256];
    json_t *steps = cm_approvals_chain(matrix, "purchase_order", 999999, NULL);
    s_names(steps, names, sizeof names);
    ck_assert_str_eq(names, "check review");
    json_decref(steps);
    steps = cm_approvals_chain(matrix, "purchase_order", 1000000, NULL);
    s_names(steps, names, sizeof names);
    ck_assert_str_eq(names, "check review oversee");
    json_decref(steps);
    steps = cm_approvals_chain(matrix, "purchase_order", 90000000, NULL);
    s_names(steps, names, sizeof names);
    ck_assert_str_eq(names, "check review oversee approve");
    json_decref(steps);
    steps = cm_approvals_chain(matrix, "requisition", 0, "normal");
    s_names(steps, names, sizeof names);
    ck_assert_str_eq(names, "approve");
    json_decref(steps);
    steps = cm_approvals_chain(matrix, "requisition", 0, "valuable");
    s_names(steps, names, sizeof names);
    ck_assert_str_eq(names, "approve oversee");
    json_decref(steps);
    ck_assert_ptr_null(cm_approvals_chain(matrix, "no_such_thing", 0, NULL));
    json_t *all = cm_approvals_to_json(matrix);
    ck_assert_int_gt(json_array_size(json_object_get(all, "rules")), 10);
    json_decref(all);
    cm_approvals_destroy(&matrix);
    ck_assert_ptr_null(matrix);
}
END_TEST

START_TEST(test_cm_approval_bad_matrices_are_refused)
{
    char error[256] = "";
    const char *bad[] = {
        "rules\n    rule\n        steps = a:dept_head@x\n",
        "rules\n    rule\n        document = d\n        steps = nocolon\n",
        "rules\n    rule\n        document = d\n        steps = a:pope@x\n",
        "rules\n    rule\n        document = d\n        min = 5\n"
        "        max = 5\n        steps = a:finance@finance\n",
        "rules\n    rule\n        document = d\n        min = -1\n"
        "        steps = a:finance@finance\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        error[0] = '\0';
        cm_approvals_t *matrix =
            cm_approvals_parse(bad[i], error, sizeof error);
        ck_assert_msg(matrix == NULL, "accepted: %s", bad[i]);
        ck_assert_msg(error[0] != '\0', "no reason for: %s", bad[i]);
    }
    ck_assert_ptr_null(
        cm_approvals_load("/nonexistent/approvals.cfg", error, sizeof error));
}
END_TEST

// A document at step `current` of a chain head@requester, finance@finance,
// requested by ST-9 of department tech.
static json_t *
s_doc(int current, const char *first_by)
{
    json_t *doc = json_pack(
        "{s:{s:s, s:s, s:s, s:i, s:b, s:[{s:s, s:s, s:s, s:s?}, "
        "{s:s, s:s, s:s}]}}",
        "approval", "document_type", "expense_claim", "department", "tech",
        "requester", "ST-9", "current", current, "complete", 0, "steps", "name",
        "check", "role", "dept_head", "scope", "requester", "by", first_by,
        "name", "review", "role", "finance", "scope", "finance");
    ck_assert_ptr_nonnull(doc);
    return doc;
}

START_TEST(test_cm_approval_who_may_decide)
{
    json_t *doc = s_doc(0, NULL);
    json_t *head = json_pack("{s:s, s:s, s:s, s:[s], s:[]}", "id", "ST-2",
                             "role", "dept_head", "department", "tech", "heads",
                             "tech", "oversees");
    json_t *other_head =
        json_pack("{s:s, s:s, s:s, s:[s], s:[]}", "id", "ST-3", "role",
                  "dept_head", "department", "ops", "heads", "ops", "oversees");
    json_t *requester = json_pack("{s:s, s:s, s:s, s:[s], s:[]}", "id", "ST-9",
                                  "role", "dept_head", "department", "tech",
                                  "heads", "tech", "oversees");
    ck_assert(cm_approval_may_decide(doc, head, NULL));
    ck_assert(!cm_approval_may_decide(doc, other_head, NULL));
    ck_assert(!cm_approval_may_decide(doc, requester, NULL)); // own document
    json_decref(doc);
    // Step two: finance, and not whoever took step one.
    doc = s_doc(1, "ST-5");
    json_t *clerk =
        json_pack("{s:s, s:s, s:s, s:[], s:[]}", "id", "ST-5", "role",
                  "finance", "department", "finance", "heads", "oversees");
    json_t *clerk2 =
        json_pack("{s:s, s:s, s:s, s:[], s:[]}", "id", "ST-6", "role",
                  "finance", "department", "finance", "heads", "oversees");
    ck_assert(!cm_approval_may_decide(doc, clerk, NULL)); // took step one
    ck_assert(cm_approval_may_decide(doc, clerk2, NULL));
    ck_assert(!cm_approval_may_decide(doc, head, NULL));
    // A delegation from ST-6 to the head: "ST-2 for ST-6".
    json_t *delegated = json_deep_copy(head);
    json_object_set_new(delegated, "delegations",
                        json_pack("[{s:s, s:O, s:[s]}]", "id", "DL-1", "from",
                                  clerk2, "document_types", "expense_claim"));
    const char *for_whom = NULL;
    ck_assert(cm_approval_may_decide(doc, delegated, &for_whom));
    ck_assert_str_eq(for_whom, "ST-6");
    // Not for another document type.
    json_object_set_new(delegated, "delegations",
                        json_pack("[{s:s, s:O, s:[s]}]", "id", "DL-1", "from",
                                  clerk2, "document_types", "budget"));
    ck_assert(!cm_approval_may_decide(doc, delegated, &for_whom));
    json_decref(delegated);
    json_decref(clerk2);
    json_decref(clerk);
    json_decref(requester);
    json_decref(other_head);
    json_decref(head);
    json_decref(doc);
}
END_TEST

Suite *
cm_approval_suite(void)
{
    Suite *s = suite_create("cm_approval");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_cm_approval_repo_matrix_bands);
    tcase_add_test(tc, test_cm_approval_bad_matrices_are_refused);
    tcase_add_test(tc, test_cm_approval_who_may_decide);
    suite_add_tcase(s, tc);
    return s;
}
