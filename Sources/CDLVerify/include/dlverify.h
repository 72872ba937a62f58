/*
 * dlverify.h: the C interface of the DL1 driving-licence verifier (libdlverify.so).
 *
 * Verifies DL1 codes (see dl1(5)) fully offline: from a code's text or from the bytes of a
 * PNG or JPEG photo, against a trust folder, handheld bundles and Status List Tokens.
 *
 * Conventions
 *   - Every object is opaque and created and freed by this library: dlv_builder,
 *     dlv_verifier, dlv_results, dlv_error. Free each with its own *_free function; every
 *     *_free function accepts NULL.
 *   - Strings are UTF-8 and NUL-terminated. Strings returned by the library belong to the
 *     object they came from and stay valid until that object is freed; never free them.
 *   - Functions that can fail return a dlv_status. When they fail and `error` is not NULL,
 *     *error receives a dlv_error carrying the same code and a message naming what was
 *     wrong; free it with dlv_error_free. On success *error is left untouched.
 *   - A dlv_verifier is immutable: one verifier may be used from many threads at once.
 *     A dlv_builder or a dlv_results must not be used from two threads at the same time.
 *   - No global state: the library reads no environment variable and writes nothing.
 *
 * Linking: cc app.c $(pkg-config --cflags --libs dlverify), or -I<dir of this header>
 * -L<dir of libdlverify.so> -ldlverify. A library made by scripts/build-library
 * (libdlverify.so.1) carries the Swift runtime inside and needs only the system's C libraries;
 * one built by a plain `swift build` needs the Swift runtime of its toolchain (its RUNPATH).
 */
#ifndef DLVERIFY_H
#define DLVERIFY_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The version of this interface. Additions keep it; incompatible changes raise it (and the
 *  library's soname, libdlverify.so.N). */
#define DLV_ABI_VERSION 1
/** The library release this header comes with (dlv_version() gives the library's own). */
#define DLV_VERSION "1.1.0"

/** Pass as `at` to verify at the system clock's time. */
#define DLV_NOW INT64_MIN

/** What a call returned. */
typedef enum dlv_status {
    DLV_OK = 0,            /**< Success. */
    DLV_E_ARGUMENT = 1,    /**< An argument is NULL, empty, out of range or not UTF-8. */
    DLV_E_IO = 2,          /**< A bundle, status or portrait input cannot be read, is not a
                                regular file, or is larger than the library reads. */
    DLV_E_TRUST = 3,       /**< The trust folder is missing, not a folder, cannot be listed
                                or holds no root certificate (unusable files inside it are
                                skipped with a warning instead). */
    DLV_E_BUNDLE = 4,      /**< Bytes given as a bundle are not a DL1 bundle. */
    DLV_E_IMAGE = 5,       /**< Bytes given as an image are not a readable PNG or JPEG. */
    DLV_E_STATE = 6,       /**< Out of order: no trust folder yet, or a second one. */
    DLV_STATUS_FORCE_INT = 0x7fffffff  /**< Not a status: keeps the enum int-sized. */
} dlv_status;

/** The verdict for one code (dl1(5), FORMAT section 5). */
typedef enum dlv_verdict {
    DLV_VALID = 0,
    DLV_MALFORMED = 1,
    DLV_UNKNOWN_SIGNER = 2,
    DLV_BAD_SIGNATURE = 3,
    DLV_UNTRUSTED_SIGNER = 4,
    DLV_NOT_YET_VALID = 5,
    DLV_EXPIRED_CODE = 6,
    DLV_LICENCE_EXPIRED = 7,
    DLV_REVOKED = 8,
    DLV_SUSPENDED = 9,
    DLV_SUPERSEDED = 10,
    DLV_STATUS_UNKNOWN = 11,
    DLV_CATEGORY_NOT_HELD = 12,
    DLV_PORTRAIT_MISMATCH = 13,
    DLV_HOLDER_MISMATCH = 14,        /**< A DL2 presentation signed by another device (check "holder"). */
    DLV_STALE_PRESENTATION = 15,     /**< A DL2 presentation made outside the holder window. */
    DLV_UNBOUND_PRESENTATION = 16,   /**< A bound credential shown as DL1 text, or a plain code where binding is required. */
    DLV_VERDICT_FORCE_INT = 0x7fffffff
} dlv_verdict;

/** Text fields of a result; dlv_result_field returns NULL when a field is absent. */
typedef enum dlv_field {
    DLV_FIELD_VERDICT = 0,           /**< "VALID", "REVOKED" ... (always present). */
    DLV_FIELD_REASON = 1,            /**< One sentence, in the verifier's language (always present). */
    DLV_FIELD_REASON_EN = 2,         /**< The same sentence in English (always present). */
    DLV_FIELD_CHECK = 3,             /**< The failed check: decode, signer, ... (absent when VALID). */
    DLV_FIELD_LAYER = 4,             /**< For MALFORMED: prefix, base45, zlib, cose, claims, header. */
    DLV_FIELD_CONDITION = 5,         /**< For UNTRUSTED_SIGNER: chain, ds, validity, ... */
    DLV_FIELD_DOCUMENT_NUMBER = 6,   /**< Licence fields: present once the signature verified. */
    DLV_FIELD_FAMILY_NAME = 7,
    DLV_FIELD_GIVEN_NAME = 8,        /**< Absent when the licence has none. */
    DLV_FIELD_BIRTH_DATE = 9,        /**< Dates are YYYY-MM-DD. */
    DLV_FIELD_ISSUE_DATE = 10,
    DLV_FIELD_EXPIRY_DATE = 11,
    DLV_FIELD_ISSUING_COUNTRY = 12,
    DLV_FIELD_ISSUING_AUTHORITY = 13,
    DLV_FIELD_PORTRAIT_SHA256 = 14,  /**< Lower-case hex. */
    DLV_FIELD_POINTS_CYCLE_END = 15,
    DLV_FIELD_ISSUER = 16,           /**< The code's iss (authority code). */
    DLV_FIELD_CODE_ISSUED_AT = 17,   /**< Instants are ISO 8601 with Z. */
    DLV_FIELD_CODE_EXPIRES_AT = 18,
    DLV_FIELD_CREDENTIAL_ID = 19,    /**< Lower-case hex. */
    DLV_FIELD_SIGNER_KID = 20,       /**< Lower-case hex; present once the code decoded. */
    DLV_FIELD_SIGNER_SUBJECT = 21,
    DLV_FIELD_STATUS_URI = 22,
    DLV_FIELD_STATUS_VALUE = 23,     /**< VALID, INVALID, SUSPENDED, SUPERSEDED; absent if unknown. */
    DLV_FIELD_STATUS_LIST_ISSUED_AT = 24,
    DLV_FIELD_VERIFIED_AT = 25,
    DLV_FIELD_PRESENTED_AT = 26,     /**< DL2 only: when the holder's device made the presentation (t). */
    DLV_FIELD_PRESENTATION_AGE = 27, /**< DL2 only: seconds from t to the verification time, as decimal text. */
    DLV_FIELD_HOLDER_KEY_THUMBPRINT = 28, /**< DL2 only: SHA-256 of the device key's compressed point, hex. */
    DLV_FIELD_FORCE_INT = 0x7fffffff
} dlv_field;

/** Fields of one vehicle category of a licence. */
typedef enum dlv_category_field {
    DLV_CATEGORY_CODE = 0,           /**< e.g. "C1". */
    DLV_CATEGORY_ISSUE_DATE = 1,
    DLV_CATEGORY_EXPIRY_DATE = 2,    /**< Absent when the category does not expire. */
    DLV_CATEGORY_RESTRICTIONS = 3,   /**< Absent when there are none. */
    DLV_CATEGORY_FORCE_INT = 0x7fffffff
} dlv_category_field;

/** What the officer asks beyond validity. Start from DLV_REQUEST_INIT (which verifies at the
 *  system clock's time with no extra checks), then set what you need:
 *      dlv_request request = DLV_REQUEST_INIT;
 *      request.category = "C1";
 *  A request whose `size` is not set (e.g. zeroed with memset) is refused with DLV_E_ARGUMENT,
 *  so a forgotten `at` can never silently mean 1970. */
typedef struct dlv_request {
    size_t size;                     /**< sizeof(dlv_request): lets later versions add fields. */
    const char *category;            /**< A category the holder must hold today, or NULL (not ""). */
    const uint8_t *portrait;         /**< The presented portrait file's bytes, or NULL. */
    size_t portrait_length;
    int64_t at;                      /**< Seconds since the epoch, or DLV_NOW. */
} dlv_request;

/** A request with no extra checks, at the system clock's time. */
#define DLV_REQUEST_INIT { sizeof(dlv_request), NULL, NULL, 0, DLV_NOW }

typedef struct dlv_builder dlv_builder;
typedef struct dlv_verifier dlv_verifier;
typedef struct dlv_results dlv_results;
typedef struct dlv_result dlv_result;
typedef struct dlv_error dlv_error;

/* ---- Errors ---- */

/** The error's code (DLV_E_ARGUMENT for NULL). */
dlv_status dlv_error_code(const dlv_error *error);
/** The error's message (English), naming what was wrong. */
const char *dlv_error_message(const dlv_error *error);
void dlv_error_free(dlv_error *error);

/** The library's release, e.g. "1.1.0" (DLV_VERSION of the header it was built with). */
const char *dlv_version(void);
/** DLV_ABI_VERSION as the library was built: compare with the header's to catch a mismatch. */
int dlv_abi_version(void);

/* ---- Building a verifier ---- */

/** A builder with FORMAT's defaults: 300 s leeway, unknown status not allowed, English. */
dlv_builder *dlv_builder_new(void);
/** Trusts the roots and signers of a folder (PEM *.pem and *.crl.pem); required, once. */
dlv_status dlv_builder_set_trust_folder(dlv_builder *builder, const char *path, dlv_error **error);
/** Adds a handheld bundle (FORMAT section 6) from a file or from bytes. Call after the trust folder. */
dlv_status dlv_builder_add_bundle_file(dlv_builder *builder, const char *path, dlv_error **error);
dlv_status dlv_builder_add_bundle(dlv_builder *builder, const uint8_t *bytes, size_t length, dlv_error **error);
/** Adds a Status List Token. A token that cannot be parsed is skipped with a warning, as FORMAT
 *  section 3 asks; a file that cannot be read, is not a regular file or is over 40 MiB is an
 *  error (DLV_E_IO). Call after the trust folder. */
dlv_status dlv_builder_add_status_file(dlv_builder *builder, const char *path, dlv_error **error);
dlv_status dlv_builder_add_status(dlv_builder *builder, const uint8_t *bytes, size_t length, dlv_error **error);
/** Clock-skew leeway in seconds, 0 to 86400. */
dlv_status dlv_builder_set_leeway(dlv_builder *builder, int64_t seconds, dlv_error **error);
/** Non-zero: a code whose status cannot be checked may be VALID (said in its reason). */
void dlv_builder_set_allow_unknown_status(dlv_builder *builder, int allow);
/** How far from the verification time a DL2 presentation may be made, 1 to 86400 seconds (default 90). */
dlv_status dlv_builder_set_holder_window(dlv_builder *builder, int64_t seconds, dlv_error **error);
/** Non-zero: a plain DL1 code (not a holder's DL2 presentation) answers DLV_UNBOUND_PRESENTATION. */
void dlv_builder_set_require_holder_binding(dlv_builder *builder, int require);
/** "en" or "zh": the language of DLV_FIELD_REASON. */
dlv_status dlv_builder_set_language(dlv_builder *builder, const char *language, dlv_error **error);
/** How many warnings the material added so far produced, and each one. After
 *  dlv_builder_build they also name the status tokens whose list did not inflate or fit the
 *  budget, and count those that could not be verified against the trust store. A warning string stays valid until the builder is freed. */
size_t dlv_builder_warning_count(const dlv_builder *builder);
const char *dlv_builder_warning(const dlv_builder *builder, size_t index);
/** A verifier from what was added; the builder stays usable. Needs the trust folder. Status
 *  lists are inflated here, only for tokens whose signer is trusted, within 256 MiB in all
 *  (tokens beyond it are skipped with a warning). */
dlv_status dlv_builder_build(dlv_builder *builder, dlv_verifier **verifier, dlv_error **error);
void dlv_builder_free(dlv_builder *builder);

/** How many distinct status tokens passed the signer checks and had their list loaded. */
size_t dlv_verifier_status_token_count(const dlv_verifier *verifier);
void dlv_verifier_free(dlv_verifier *verifier);

/* ---- Verifying ---- */

/** Verifies one code's text ("DL1:..."). `request` may be NULL (no extra checks, now).
 *  *results receives exactly one result, whatever the verdict. */
dlv_status dlv_verify_text(const dlv_verifier *verifier, const char *text, const dlv_request *request,
                           dlv_results **results, dlv_error **error);
/** Verifies every QR code in a PNG or JPEG image. *results receives one result per code,
 *  possibly none (the image holds no readable QR code). Fails with DLV_E_IMAGE when the
 *  bytes are not a readable image. */
dlv_status dlv_verify_image(const dlv_verifier *verifier, const uint8_t *bytes, size_t length,
                            const dlv_request *request, dlv_results **results, dlv_error **error);

/** The number of results (codes). */
size_t dlv_results_count(const dlv_results *results);
/** The result at `index`, or NULL when out of range; owned by `results`. */
const dlv_result *dlv_results_get(const dlv_results *results, size_t index);
void dlv_results_free(dlv_results *results);

/** The verdict (DLV_MALFORMED for NULL). */
dlv_verdict dlv_result_verdict(const dlv_result *result);
/** A text field, or NULL when absent (see dlv_field). */
const char *dlv_result_field(const dlv_result *result, dlv_field field);
/** The penalty points as of the code's iat: returns 1 and fills both, or 0 without a licence. */
int dlv_result_points(const dlv_result *result, uint64_t *remaining, uint64_t *maximum);
/** The number of vehicle categories (0 without a licence), and a field of one of them. */
size_t dlv_result_category_count(const dlv_result *result);
const char *dlv_result_category(const dlv_result *result, size_t index, dlv_category_field field);
/** The result as one JSON object, as `dl-verify --json` prints it for a code, without the
 *  members that describe the input ("source", and "read" for images); NULL for NULL. */
const char *dlv_result_json(const dlv_result *result);

#ifdef __cplusplus
}
#endif

#endif /* DLVERIFY_H */
