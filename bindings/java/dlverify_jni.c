/*
 * dlverify_jni.c: the JNI shim between org.dl1.verify.Verifier (Java) and libdlverify
 * (dlverify.h). It holds no state of its own: a Java Verifier keeps the dlv_verifier pointer
 * as a long and frees it in close(). Every failure becomes an org.dl1.verify.VerifyException
 * carrying the library's status code and message.
 *
 * Build (Linux): gcc -shared -fPIC -o libdlverify_jni.so dlverify_jni.c \
 *     -I"$JAVA_HOME/include" -I"$JAVA_HOME/include/linux" $(pkg-config --cflags --libs dlverify)
 */
#include <jni.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dlverify.h"

static void throw_error(JNIEnv *env, int status, const char *message) {
    jclass cls = (*env)->FindClass(env, "org/dl1/verify/VerifyException");
    if (cls == NULL) return; /* NoClassDefFoundError pending */
    jmethodID init = (*env)->GetMethodID(env, cls, "<init>", "(ILjava/lang/String;)V");
    if (init == NULL) return;
    jstring text = (*env)->NewStringUTF(env, message ? message : "unknown error");
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

JNIEXPORT jlong JNICALL Java_org_dl1_verify_Verifier_build(JNIEnv *env, jclass cls, jstring trust, jobjectArray status,
                                                            jlong holderWindow, jboolean requireBinding, jstring language) {
    (void)cls;
    dlv_error *error = NULL;
    dlv_builder *builder = dlv_builder_new();
    if (builder == NULL) { throw_error(env, DLV_E_ARGUMENT, "out of memory"); return 0; }
    const char *path = (*env)->GetStringUTFChars(env, trust, NULL);
    if (path == NULL) { dlv_builder_free(builder); return 0; }
    dlv_status result = dlv_builder_set_trust_folder(builder, path, &error);
    (*env)->ReleaseStringUTFChars(env, trust, path);
    if (failed(env, result, error)) { dlv_builder_free(builder); return 0; }
    jsize count = status ? (*env)->GetArrayLength(env, status) : 0;
    for (jsize i = 0; i < count; i++) {
        jstring item = (jstring)(*env)->GetObjectArrayElement(env, status, i);
        const char *file = (*env)->GetStringUTFChars(env, item, NULL);
        if (file == NULL) { dlv_builder_free(builder); return 0; }
        error = NULL;
        result = dlv_builder_add_status_file(builder, file, &error);
        (*env)->ReleaseStringUTFChars(env, item, file);
        (*env)->DeleteLocalRef(env, item);
        if (failed(env, result, error)) { dlv_builder_free(builder); return 0; }
    }
    error = NULL;
    if (holderWindow > 0 && failed(env, dlv_builder_set_holder_window(builder, (int64_t)holderWindow, &error), error)) {
        dlv_builder_free(builder);
        return 0;
    }
    dlv_builder_set_require_holder_binding(builder, requireBinding ? 1 : 0);
    const char *lang = (*env)->GetStringUTFChars(env, language, NULL);
    if (lang == NULL) { dlv_builder_free(builder); return 0; }
    error = NULL;
    result = dlv_builder_set_language(builder, lang, &error);
    (*env)->ReleaseStringUTFChars(env, language, lang);
    if (failed(env, result, error)) { dlv_builder_free(builder); return 0; }
    dlv_verifier *verifier = NULL;
    error = NULL;
    result = dlv_builder_build(builder, &verifier, &error);
    dlv_builder_free(builder);
    if (failed(env, result, error)) return 0;
    return (jlong)(intptr_t)verifier;
}

/* One code's text → its result as the JSON object dl-verify --json prints, as UTF-8 bytes (JNI's
 * NewStringUTF takes modified UTF-8, which would mangle characters outside the BMP, such as rare
 * CJK characters in names: Java decodes the bytes itself). */
JNIEXPORT jbyteArray JNICALL Java_org_dl1_verify_Verifier_verifyText(JNIEnv *env, jclass cls, jlong handle, jstring text, jlong at) {
    (void)cls;
    const dlv_verifier *verifier = (const dlv_verifier *)(intptr_t)handle;
    if (verifier == NULL) { throw_error(env, DLV_E_STATE, "the verifier is closed"); return NULL; }
    dlv_request request = DLV_REQUEST_INIT;
    request.at = (int64_t)at;
    const char *code = (*env)->GetStringUTFChars(env, text, NULL);
    if (code == NULL) return NULL; /* OutOfMemoryError pending */
    dlv_results *results = NULL;
    dlv_error *error = NULL;
    dlv_status status = dlv_verify_text(verifier, code, &request, &results, &error);
    (*env)->ReleaseStringUTFChars(env, text, code);
    if (failed(env, status, error)) return NULL;
    const char *json = dlv_result_json(dlv_results_get(results, 0));
    jsize length = json ? (jsize)strlen(json) : 0;
    jbyteArray bytes = (*env)->NewByteArray(env, length);
    if (bytes != NULL && length > 0) (*env)->SetByteArrayRegion(env, bytes, 0, length, (const jbyte *)json);
    dlv_results_free(results);
    return bytes;
}

JNIEXPORT void JNICALL Java_org_dl1_verify_Verifier_free(JNIEnv *env, jclass cls, jlong handle) {
    (void)env;
    (void)cls;
    dlv_verifier_free((dlv_verifier *)(intptr_t)handle);
}
