/*
 * dlverify_example: a small C program using libdlverify (dlverify.h).
 *
 *   dlverify_example --trust DIR [--status FILE]... [--bundle FILE]... [--at UNIX_SECONDS]
 *                    [--category CODE] [--portrait FILE] [--allow-unknown-status]
 *                    [--holder-window SECONDS] [--require-holder-binding]
 *                    [--lang en|zh] [--json] [--bench N [--threads T]]
 *                    (--text CODE | --stdin | IMAGE...)
 *
 * Prints, for each code, the verdict, the reason and the licence's main fields (or one JSON
 * object per line with --json). --stdin reads one code per line. --bench N verifies every
 * code N times and prints codes per second instead; with --threads T, T threads share the one
 * verifier (it is immutable) and every answer is checked against a first single-threaded pass.
 * Exit codes as dl-verify: 0 all VALID, 1 a code is not valid, 2 usage or setup error,
 * 3 an image holds no QR code.
 *
 * Build:  cc -std=c11 -Wall -Wextra -o dlverify_example dlverify_example.c \
 *            -pthread -I../../Sources/CDLVerify/include -L../../.build/debug -ldlverify \
 *            -Wl,-rpath,$(realpath ../../.build/debug)
 */
#define _POSIX_C_SOURCE 200809L
#include "dlverify.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Reads a whole file (at most 64 MiB). Returns NULL and prints why on failure. */
static uint8_t *read_file(const char *path, size_t *length) {
    FILE *file = fopen(path, "rb");
    if (file == NULL) {
        fprintf(stderr, "dlverify_example: cannot open %s\n", path);
        return NULL;
    }
    size_t capacity = 65536, used = 0;
    uint8_t *bytes = malloc(capacity);
    while (bytes != NULL) {
        size_t got = fread(bytes + used, 1, capacity - used, file);
        used += got;
        if (got == 0) break;
        if (used == capacity) {
            if (capacity > 64u * 1024 * 1024) {
                fprintf(stderr, "dlverify_example: %s is larger than 64 MiB\n", path);
                free(bytes);
                bytes = NULL;
                break;
            }
            uint8_t *bigger = realloc(bytes, capacity * 2);
            if (bigger == NULL) { free(bytes); bytes = NULL; break; }
            bytes = bigger;
            capacity *= 2;
        }
    }
    if (bytes != NULL && ferror(file)) {
        fprintf(stderr, "dlverify_example: cannot read %s\n", path);
        free(bytes);
        bytes = NULL;
    }
    fclose(file);
    *length = used;
    return bytes;
}

/* Prints an error's message and frees it. */
static void report(const char *what, dlv_error *error) {
    fprintf(stderr, "dlverify_example: %s: %s (code %d)\n", what,
            error ? dlv_error_message(error) : "unknown error", error ? (int)dlv_error_code(error) : -1);
    dlv_error_free(error);
}

static const char *or_empty(const char *text) { return text ? text : ""; }

static void print_result(const dlv_result *result, int json, const char *source) {
    if (json) {
        printf("%s\n", dlv_result_json(result));
        return;
    }
    printf("%s\n%s\n", dlv_result_field(result, DLV_FIELD_VERDICT), dlv_result_field(result, DLV_FIELD_REASON));
    printf("  source:     %s\n", source);
    const char *layer = dlv_result_field(result, DLV_FIELD_LAYER);
    if (layer) printf("  layer:      %s\n", layer);
    const char *condition = dlv_result_field(result, DLV_FIELD_CONDITION);
    if (condition) printf("  condition:  %s\n", condition);
    const char *presented = dlv_result_field(result, DLV_FIELD_PRESENTED_AT);
    if (presented) printf("  presented:  by the holder's device at %s (%s s ago), key %s\n", presented,
                          dlv_result_field(result, DLV_FIELD_PRESENTATION_AGE), dlv_result_field(result, DLV_FIELD_HOLDER_KEY_THUMBPRINT));
    const char *number = dlv_result_field(result, DLV_FIELD_DOCUMENT_NUMBER);
    if (number == NULL) return;
    printf("  holder:     %s %s (born %s)\n", dlv_result_field(result, DLV_FIELD_FAMILY_NAME),
           or_empty(dlv_result_field(result, DLV_FIELD_GIVEN_NAME)), dlv_result_field(result, DLV_FIELD_BIRTH_DATE));
    printf("  licence:    %s, %s, expires %s\n", number, dlv_result_field(result, DLV_FIELD_ISSUING_COUNTRY),
           dlv_result_field(result, DLV_FIELD_EXPIRY_DATE));
    for (size_t i = 0; i < dlv_result_category_count(result); i++) {
        const char *until = dlv_result_category(result, i, DLV_CATEGORY_EXPIRY_DATE);
        const char *restrictions = dlv_result_category(result, i, DLV_CATEGORY_RESTRICTIONS);
        printf("  category:   %s from %s%s%s%s%s%s\n", dlv_result_category(result, i, DLV_CATEGORY_CODE),
               dlv_result_category(result, i, DLV_CATEGORY_ISSUE_DATE), until ? " to " : "", or_empty(until),
               restrictions ? " (" : "", or_empty(restrictions), restrictions ? ")" : "");
    }
    uint64_t remaining = 0, maximum = 0;
    if (dlv_result_points(result, &remaining, &maximum))
        printf("  points:     %llu/%llu as of %s\n", (unsigned long long)remaining, (unsigned long long)maximum,
               dlv_result_field(result, DLV_FIELD_CODE_ISSUED_AT));
    printf("  portrait:   sha256 %s\n", dlv_result_field(result, DLV_FIELD_PORTRAIT_SHA256));
}

typedef struct {
    int any_invalid, no_code, failed;
} outcome;

/* The verdict words in dlv_verdict's order: the enum and the word must agree. */
static const char *const verdict_words[] = {
    "VALID", "MALFORMED", "UNKNOWN_SIGNER", "BAD_SIGNATURE", "UNTRUSTED_SIGNER", "NOT_YET_VALID",
    "EXPIRED_CODE", "LICENCE_EXPIRED", "REVOKED", "SUSPENDED", "SUPERSEDED", "STATUS_UNKNOWN",
    "CATEGORY_NOT_HELD", "PORTRAIT_MISMATCH", "HOLDER_MISMATCH", "STALE_PRESENTATION", "UNBOUND_PRESENTATION"};

static void tally(outcome *o, const dlv_results *results) {
    for (size_t i = 0; i < dlv_results_count(results); i++) {
        const dlv_result *result = dlv_results_get(results, i);
        dlv_verdict verdict = dlv_result_verdict(result);
        if (verdict != DLV_VALID) o->any_invalid = 1;
        if ((unsigned)verdict >= sizeof verdict_words / sizeof verdict_words[0] ||
            strcmp(verdict_words[verdict], dlv_result_field(result, DLV_FIELD_VERDICT)) != 0) {
            fprintf(stderr, "dlverify_example: verdict %d does not match the word %s\n", (int)verdict,
                    dlv_result_field(result, DLV_FIELD_VERDICT));
            o->failed = 1;
        }
    }
}

/* One benchmark thread's work: verify every code `rounds` times with the shared verifier,
 * comparing each verdict with the single-threaded answer. */
typedef struct {
    const dlv_verifier *verifier;
    const dlv_request *request;
    char *const *codes;
    size_t code_count;
    long rounds;
    const dlv_verdict *expected;
    long mismatches, failures;
} bench_job;

static void *bench_worker(void *argument) {
    bench_job *job = argument;
    for (long round = 0; round < job->rounds; round++) {
        for (size_t i = 0; i < job->code_count; i++) {
            dlv_results *results = NULL;
            dlv_error *error = NULL;
            if (dlv_verify_text(job->verifier, job->codes[i], job->request, &results, &error) != DLV_OK) {
                dlv_error_free(error);
                job->failures++;
                continue;
            }
            if (dlv_result_verdict(dlv_results_get(results, 0)) != job->expected[i]) job->mismatches++;
            dlv_results_free(results);
        }
    }
    return NULL;
}

static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int usage(void) {
    fprintf(stderr, "usage: dlverify_example --trust DIR [--status FILE]... [--bundle FILE]... [--at UNIX_SECONDS]\n"
                    "       [--category CODE] [--portrait FILE] [--allow-unknown-status] [--holder-window S] [--require-holder-binding] [--lang en|zh] [--json]\n"
                    "       [--bench N [--threads T]] (--text CODE | --stdin | IMAGE...)\n");
    return 2;
}

int main(int argc, char **argv) {
    const char *trust = NULL, *category = NULL, *portrait_path = NULL, *language = "en", *text = NULL;
    const char *status_files[64], *bundle_files[64], *images[256];
    int status_count = 0, bundle_count = 0, image_count = 0, json = 0, from_stdin = 0, allow_unknown = 0, require_holder = 0;
    int64_t holder_window = 90;
    long bench = 0, threads = 1;
    int64_t at = DLV_NOW;

    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int has_value = i + 1 < argc;
        if (strcmp(arg, "--trust") == 0 && has_value) trust = argv[++i];
        else if (strcmp(arg, "--status") == 0 && has_value && status_count < 64) status_files[status_count++] = argv[++i];
        else if (strcmp(arg, "--bundle") == 0 && has_value && bundle_count < 64) bundle_files[bundle_count++] = argv[++i];
        else if (strcmp(arg, "--at") == 0 && has_value) at = strtoll(argv[++i], NULL, 10);
        else if (strcmp(arg, "--category") == 0 && has_value) category = argv[++i];
        else if (strcmp(arg, "--portrait") == 0 && has_value) portrait_path = argv[++i];
        else if (strcmp(arg, "--lang") == 0 && has_value) language = argv[++i];
        else if (strcmp(arg, "--text") == 0 && has_value) text = argv[++i];
        else if (strcmp(arg, "--bench") == 0 && has_value) bench = strtol(argv[++i], NULL, 10);
        else if (strcmp(arg, "--threads") == 0 && has_value) threads = strtol(argv[++i], NULL, 10);
        else if (strcmp(arg, "--allow-unknown-status") == 0) allow_unknown = 1;
        else if (strcmp(arg, "--holder-window") == 0 && has_value) holder_window = strtoll(argv[++i], NULL, 10);
        else if (strcmp(arg, "--require-holder-binding") == 0) require_holder = 1;
        else if (strcmp(arg, "--json") == 0) json = 1;
        else if (strcmp(arg, "--stdin") == 0) from_stdin = 1;
        else if (arg[0] != '-' && image_count < 256) images[image_count++] = arg;
        else return usage();
    }
    if (trust == NULL || (text == NULL && !from_stdin && image_count == 0)) return usage();
    if (threads < 1 || threads > 64 || bench < 0) return usage();
    if (dlv_abi_version() != DLV_ABI_VERSION) {
        fprintf(stderr, "dlverify_example: built for interface %d, the library has %d\n", DLV_ABI_VERSION, dlv_abi_version());
        return 2;
    }

    /* 1. Build the verifier once; it is immutable and may be shared by threads. */
    dlv_error *error = NULL;
    dlv_builder *builder = dlv_builder_new();
    if (dlv_builder_set_trust_folder(builder, trust, &error) != DLV_OK) { report("trust folder", error); dlv_builder_free(builder); return 2; }
    for (int i = 0; i < bundle_count; i++)
        if (dlv_builder_add_bundle_file(builder, bundle_files[i], &error) != DLV_OK) { report("bundle", error); dlv_builder_free(builder); return 2; }
    for (int i = 0; i < status_count; i++)
        if (dlv_builder_add_status_file(builder, status_files[i], &error) != DLV_OK) { report("status", error); dlv_builder_free(builder); return 2; }
    if (dlv_builder_set_language(builder, language, &error) != DLV_OK) { report("--lang", error); dlv_builder_free(builder); return 2; }
    dlv_builder_set_allow_unknown_status(builder, allow_unknown);
    if (dlv_builder_set_holder_window(builder, holder_window, &error) != DLV_OK) { report("--holder-window", error); dlv_builder_free(builder); return 2; }
    dlv_builder_set_require_holder_binding(builder, require_holder);
    dlv_verifier *verifier = NULL;
    if (dlv_builder_build(builder, &verifier, &error) != DLV_OK) { report("build", error); dlv_builder_free(builder); return 2; }
    for (size_t i = 0; i < dlv_builder_warning_count(builder); i++)
        fprintf(stderr, "dlverify_example: warning: %s\n", dlv_builder_warning(builder, i));
    dlv_builder_free(builder);

    /* 2. What the officer asks. */
    dlv_request request = DLV_REQUEST_INIT;
    request.at = at;
    request.category = category;
    uint8_t *portrait = NULL;
    if (portrait_path != NULL) {
        portrait = read_file(portrait_path, &request.portrait_length);
        if (portrait == NULL) { dlv_verifier_free(verifier); return 2; }
        request.portrait = portrait;
    }

    /* 3. Verify. */
    outcome o = {0, 0, 0};
    char *line = NULL;
    size_t line_capacity = 0;
    if (text != NULL || from_stdin) {
        char **codes = NULL;
        size_t code_count = 0;
        if (text != NULL) {
            codes = malloc(sizeof(char *));
            codes[code_count++] = strdup(text);
        } else {
            ssize_t got;
            while ((got = getline(&line, &line_capacity, stdin)) != -1) {
                if (got > 0 && line[got - 1] == '\n') line[got - 1] = '\0';
                char **more = realloc(codes, (code_count + 1) * sizeof(char *));
                if (more == NULL) break;
                codes = more;
                codes[code_count++] = strdup(line);
            }
        }
        /* One pass: print each answer (or, for a benchmark, remember it to check the threads). */
        dlv_verdict *expected = calloc(code_count ? code_count : 1, sizeof *expected);
        for (size_t i = 0; expected != NULL && i < code_count; i++) {
            dlv_results *results = NULL;
            if (dlv_verify_text(verifier, codes[i], &request, &results, &error) != DLV_OK) {
                report("verify", error);
                error = NULL;
                o.failed = 1;
                continue;
            }
            expected[i] = dlv_result_verdict(dlv_results_get(results, 0));
            if (bench == 0) {
                char source[32];
                snprintf(source, sizeof source, text ? "text" : "stdin:%zu", i + 1);
                print_result(dlv_results_get(results, 0), json, source);
            }
            tally(&o, results);
            dlv_results_free(results);
        }
        if (bench > 0 && expected != NULL && !o.failed) {
            bench_job jobs[64];
            pthread_t ids[64];
            double start = seconds_now();
            for (long t = 0; t < threads; t++) {
                jobs[t] = (bench_job){verifier, &request, codes, code_count, bench, expected, 0, 0};
                if (pthread_create(&ids[t], NULL, bench_worker, &jobs[t]) != 0) { threads = t; o.failed = 1; break; }
            }
            long mismatches = 0, failures = 0;
            for (long t = 0; t < threads; t++) {
                pthread_join(ids[t], NULL);
                mismatches += jobs[t].mismatches;
                failures += jobs[t].failures;
            }
            double elapsed = seconds_now() - start;
            printf("%zu codes x %ld rounds x %ld threads in %.3f s: %.0f codes/s\n", code_count, bench, threads, elapsed,
                   (double)code_count * (double)bench * (double)threads / elapsed);
            if (mismatches || failures) {
                fprintf(stderr, "dlverify_example: %ld answers differed from the first pass, %ld calls failed\n", mismatches, failures);
                o.failed = 1;
            }
        }
        free(expected);
        for (size_t i = 0; i < code_count; i++) free(codes[i]);
        free(codes);
    }
    for (int i = 0; i < image_count; i++) {
        size_t length = 0;
        uint8_t *bytes = read_file(images[i], &length);
        if (bytes == NULL) { o.failed = 1; continue; }
        dlv_results *results = NULL;
        if (dlv_verify_image(verifier, bytes, length, &request, &results, &error) != DLV_OK) {
            report(images[i], error);
            error = NULL;
            o.failed = 1;
        } else {
            if (dlv_results_count(results) == 0) {
                fprintf(stderr, "dlverify_example: %s: no QR code found in the image\n", images[i]);
                o.no_code = 1;
            }
            for (size_t k = 0; k < dlv_results_count(results); k++) print_result(dlv_results_get(results, k), json, images[i]);
            tally(&o, results);
            dlv_results_free(results);
        }
        free(bytes);
    }

    free(line);
    free(portrait);
    dlv_verifier_free(verifier);
    return o.failed ? 2 : o.no_code ? 3 : o.any_invalid ? 1 : 0;
}
