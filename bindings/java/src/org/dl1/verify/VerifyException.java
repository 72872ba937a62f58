package org.dl1.verify;

import java.nio.charset.StandardCharsets;

/** A failed call into libdlverify: its dlv_status code and message. */
public final class VerifyException extends RuntimeException {
    private final int status;

    public VerifyException(int status, String message) {
        super(message + " (code " + status + ")");
        this.status = status;
    }

    /** From the JNI shim: the message as UTF-8 bytes. */
    VerifyException(int status, byte[] message) {
        this(status, new String(message, StandardCharsets.UTF_8));
    }

    /** The dlv_status code (1 argument, 2 io, 3 trust, 4 bundle, 5 image, 6 state). */
    public int status() { return status; }
}
