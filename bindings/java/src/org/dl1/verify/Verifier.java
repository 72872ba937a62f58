package org.dl1.verify;

import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A DL1/DL2 verifier over libdlverify (through the JNI shim libdlverify_jni.so): built from a
 * trust folder and Status List Token files, then asked to verify codes' texts. Immutable once
 * built, so one may be shared by threads; close() waits for verifications in flight, then frees it.
 */
public final class Verifier implements AutoCloseable {
    static { System.loadLibrary("dlverify_jni"); }

    /** Verify at the system clock's time (DLV_NOW). */
    public static final long NOW = Long.MIN_VALUE;

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private long handle;

    public Verifier(String trustFolder, String[] statusFiles, long holderWindowSeconds, boolean requireHolderBinding, String language) {
        Objects.requireNonNull(trustFolder, "trustFolder");
        Objects.requireNonNull(statusFiles, "statusFiles");
        Objects.requireNonNull(language, "language");
        byte[][] status = new byte[statusFiles.length][];
        for (int i = 0; i < statusFiles.length; i++) status[i] = cText(Objects.requireNonNull(statusFiles[i], "statusFiles[" + i + "]"));
        handle = build(cText(trustFolder), status, holderWindowSeconds, requireHolderBinding, cText(language));
    }

    public Verifier(String trustFolder, String... statusFiles) {
        this(trustFolder, statusFiles, 0, false, "en");
    }

    /** One code's result: its verdict word, its reason in the verifier's language, and the whole JSON object. */
    public record Result(String verdict, String reason, String json) {
        public boolean valid() { return "VALID".equals(verdict); }
    }

    /** Verifies a code's text (DL1:… or DL2:…) at `at` (seconds since the epoch, or NOW). */
    public Result verify(String text, long at) {
        byte[] code = cText(Objects.requireNonNull(text, "text"));
        lock.readLock().lock();
        try {
            if (handle == 0) throw new VerifyException(6, "the verifier is closed");
            byte[][] parts = verifyText(handle, code, at);
            return new Result(utf8(parts[0]), utf8(parts[1]), utf8(parts[2]));
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            if (handle != 0) {
                free(handle);
                handle = 0;
            }
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** NUL-terminated UTF-8 for the C side; a NUL inside would cut the text short, so it is refused. */
    private static byte[] cText(String text) {
        if (text.indexOf('\0') >= 0) throw new IllegalArgumentException("text holds a NUL character");
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[utf8.length + 1];
        System.arraycopy(utf8, 0, out, 0, utf8.length);
        return out;
    }

    private static String utf8(byte[] bytes) { return new String(bytes, StandardCharsets.UTF_8); }

    private static native long build(byte[] trust, byte[][] status, long holderWindow, boolean requireBinding, byte[] language);
    private static native byte[][] verifyText(long handle, byte[] text, long at);
    private static native void free(long handle);
}
