/*
 * dlverify_jni.c: the JNI shim between org.dl1.verify.Verifier (Java) and libdlverify
 * (dlverify.h). It holds no state of its own: a Java Verifier keeps the dlv_verifier pointer
 * as a long and frees it in close(). Text crosses as NUL-terminated UTF-8 byte arrays both ways
 * (JNI's own string functions use modified UTF-8, which mangles characters outside the BMP).
 * Every failure becomes an org.dl1.verify.VerifyException carrying the library's status code
 * and message.
 *
 * Build (Linux): gcc -shared -fPIC -o libdlverify_jni.so dlverify_jni.c \
 *     -I"$JAVA_HOME/include" -I"$JAVA_HOME/include/linux" $(pkg-config --cflags --libs dlverify)
 */
#include <jni.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dlverify.h"

static jbyteArray utf8_bytes(JNIEnv *env, const char *text) {
    jsize length = text ? (jsize)strlen(text) : 0;
    jbyteArray bytes = (*env)->NewByteArray(env, length);
    if (bytes != NULL && length > 0) (*env)->SetByteArrayRegion(env, bytes, 0, length, (const jbyte *)text);
    return bytes;
}

static void throw_error(JNIEnv *env, int status, const char *message) {
    jclass cls = (*env)->FindClass(env, "org/dl1/verify/VerifyException");
    if (cls == NULL) return; /* NoClassDefFoundError pending */
    jmethodID init = (*env)->GetMethodID(env, cls, "<init>", "(I[B)V");
    if (init == NULL) return;
    jbyteArray text = utf8_bytes(env, message ? message : "unknown error");
    if (text == NULL) return;
    jobject exception = (*env)->NewObject(env, cls, init, (jint)status, text);
    if (exception != NULL) (*env)->Throw(env, (jthrowable)exception);
}

/* Throws the dlv_error (and frees it); returns 1 when `status` is a failure. */
static int failed(JNIEnv *env, dlv_status status, dlv_error *error) {
    if (status == DLV_OK) return 0;
    throw_error(env, (int)status, error ? dlv_error_message(error) : NULL);
    dlv_error_free(error);
    return 1;
}

/* The bytes of a NUL-terminated UTF-8 byte array (Java adds the NUL); NULL with an exception pending. */
static const char *c_text(JNIEnv *env, jbyteArray bytes) {
    if (bytes == NULL) { throw_error(env, DLV_E_ARGUMENT, "a text argument is null"); return NULL; }
    return (const char *)(*env)->GetByteArrayElements(env, bytes, NULL);
}

static void release(JNIEnv *env, jbyteArray bytes, const char *text) {
    if (text != NULL) (*env)->ReleaseByteArrayElements(env, bytes, (jbyte *)text, JNI_ABORT);
}

JNIEXPORT jlong JNICALL Java_org_dl1_verify_Verifier_build(JNIEnv *env, jclass cls, jbyteArray trust, jobjectArray status,
                                                            jlong holderWindow, jboolean requireBinding, jbyteArray language) {
    (void)cls;
    dlv_error *error = NULL;
    dlv_builder *builder = dlv_builder_new();
    if (builder == NULL) { throw_error(env, DLV_E_ARGUMENT, "out of memory"); return 0; }
    const char *path = c_text(env, trust);
    if (path == NULL) { dlv_builder_free(builder); return 0; }
    dlv_status result = dlv_builder_set_trust_folder(builder, path, &error);
    release(env, trust, path);
    if (failed(env, result, error)) { dlv_builder_free(builder); return 0; }
    jsize count = status ? (*env)->GetArrayLength(env, status) : 0;
    for (jsize i = 0; i < count; i++) {
        jbyteArray item = (jbyteArray)(*env)->GetObjectArrayElement(env, status, i);
        const char *file = c_text(env, item);
        if (file == NULL) { dlv_builder_free(builder); return 0; }
        error = NULL;
        result = dlv_builder_add_status_file(builder, file, &error);
        release(env, item, file);
        (*env)->DeleteLocalRef(env, item);
        if (failed(env, result, error)) { dlv_builder_free(builder); return 0; }
    }
    error = NULL;
    if (holderWindow > 0 && failed(env, dlv_builder_set_holder_window(builder, (int64_t)holderWindow, &error), error)) {
        dlv_builder_free(builder);
        return 0;
    }
    dlv_builder_set_require_holder_binding(builder, requireBinding ? 1 : 0);
    const char *lang = c_text(env, language);
    if (lang == NULL) { dlv_builder_free(builder); return 0; }
    error = NULL;
    result = dlv_builder_set_language(builder, lang, &error);
    release(env, language, lang);
    if (failed(env, result, error)) { dlv_builder_free(builder); return 0; }
    dlv_verifier *verifier = NULL;
    error = NULL;
    result = dlv_builder_build(builder, &verifier, &error);
    dlv_builder_free(builder);
    if (failed(env, result, error)) return 0;
    return (jlong)(intptr_t)verifier;
}

/* One code's text → { verdict, reason (in the verifier's language), JSON object }, each UTF-8. */
JNIEXPORT jobjectArray JNICALL Java_org_dl1_verify_Verifier_verifyText(JNIEnv *env, jclass cls, jlong handle, jbyteArray text, jlong at) {
    (void)cls;
    const dlv_verifier *verifier = (const dlv_verifier *)(intptr_t)handle;
    if (verifier == NULL) { throw_error(env, DLV_E_STATE, "the verifier is closed"); return NULL; }
    dlv_request request = DLV_REQUEST_INIT;
    request.at = (int64_t)at;
    const char *code = c_text(env, text);
    if (code == NULL) return NULL;
    dlv_results *results = NULL;
    dlv_error *error = NULL;
    dlv_status status = dlv_verify_text(verifier, code, &request, &results, &error);
    release(env, text, code);
    if (failed(env, status, error)) return NULL;
    const dlv_result *result = dlv_results_get(results, 0);
    if (result == NULL) { dlv_results_free(results); throw_error(env, DLV_E_STATE, "the library returned no result"); return NULL; }
    jclass bytesClass = (*env)->FindClass(env, "[B");
    jobjectArray out = bytesClass ? (*env)->NewObjectArray(env, 3, bytesClass, NULL) : NULL;
    const char *parts[3] = { dlv_result_field(result, DLV_FIELD_VERDICT), dlv_result_field(result, DLV_FIELD_REASON), dlv_result_json(result) };
    for (int i = 0; out != NULL && i < 3; i++) {
        jbyteArray part = utf8_bytes(env, parts[i]);
        if (part == NULL) { out = NULL; break; }
        (*env)->SetObjectArrayElement(env, out, i, part);
        (*env)->DeleteLocalRef(env, part);
    }
    dlv_results_free(results);
    return out;
}

JNIEXPORT void JNICALL Java_org_dl1_verify_Verifier_free(JNIEnv *env, jclass cls, jlong handle) {
    (void)env;
    (void)cls;
    dlv_verifier_free((dlv_verifier *)(intptr_t)handle);
}
