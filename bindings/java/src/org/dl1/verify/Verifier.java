package org.dl1.verify;

import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A DL1/DL2 verifier over libdlverify (through the JNI shim libdlverify_jni.so): built from a
 * trust folder and Status List Token files, then asked to verify codes' texts. Immutable once
 * built, so one may be shared by threads; close it to free it.
 */
public final class Verifier implements AutoCloseable {
    static { System.loadLibrary("dlverify_jni"); }

    /** Verify at the system clock's time (DLV_NOW). */
    public static final long NOW = Long.MIN_VALUE;

    private long handle;

    public Verifier(String trustFolder, String[] statusFiles, long holderWindowSeconds, boolean requireHolderBinding, String language) {
        handle = build(trustFolder, statusFiles, holderWindowSeconds, requireHolderBinding, language);
    }

    public Verifier(String trustFolder, String... statusFiles) {
        this(trustFolder, statusFiles, 0, false, "en");
    }

    /** One code's result: its verdict word, its reason, and the whole JSON object. */
    public record Result(String verdict, String reason, String json) {
        public boolean valid() { return "VALID".equals(verdict); }
    }

    /** Verifies a code's text (DL1:… or DL2:…) at `at` (seconds since the epoch, or NOW). */
    public Result verify(String text, long at) {
        synchronized (this) {
            if (handle == 0) throw new VerifyException(6, "the verifier is closed");
        }
        String json = new String(verifyText(handle, text, at), StandardCharsets.UTF_8);
        return new Result(member(json, "verdict"), member(json, "reason"), json);
    }

    private static String member(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(json);
        return m.find() ? m.group(1) : null;
    }

    @Override
    public synchronized void close() {
        if (handle != 0) {
            free(handle);
            handle = 0;
        }
    }

    private static native long build(String trust, String[] status, long holderWindow, boolean requireBinding, String language);
    private static native byte[] verifyText(long handle, String text, long at);
    private static native void free(long handle);
}
