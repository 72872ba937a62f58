package org.dl1.verify;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads lines "EXPECTED_VERDICT<TAB>CODE" from standard input, verifies each code at the given
 * time with the given trust folder and status file, and prints one line per mismatch, then
 * "N checked, M mismatched". Exit code 1 when any verdict differs.
 *     java -Djava.library.path=DIR -cp CLASSES org.dl1.verify.VectorCheck TRUST STATUS AT
 */
public final class VectorCheck {
    public static void main(String[] args) throws Exception {
        long at = Long.parseLong(args[2]);
        int checked = 0, mismatched = 0;
        try (Verifier verifier = new Verifier(args[0], args[1]);
             BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                int tab = line.indexOf('\t');
                if (tab < 0) continue;
                Verifier.Result result = verifier.verify(line.substring(tab + 1), at);
                checked++;
                if (!line.substring(0, tab).equals(result.verdict())) {
                    mismatched++;
                    System.out.println("expected " + line.substring(0, tab) + ", got " + result.verdict() + ": " + result.reason());
                }
            }
        }
        try (Verifier chinese = new Verifier(args[0], new String[] {args[1]}, 0, false, "zh")) {
            // The reason comes in the verifier's language, as UTF-8 (Chinese here).
            Verifier.Result result = chinese.verify("DL1:x", at);
            if (!"MALFORMED".equals(result.verdict()) || !result.reason().contains("二维码")) {
                System.out.println("Chinese reason: " + result.verdict() + " " + result.reason());
                mismatched++;
            }
        }
        try {
            new Verifier(null, "x");
            System.out.println("a null trust folder was accepted");
            mismatched++;
        } catch (NullPointerException expected) {
            // refused in Java, before the shim
        }
        try {
            new Verifier("/nonexistent/trust");
            System.out.println("a missing trust folder was accepted");
            mismatched++;
        } catch (VerifyException e) {
            if (e.status() != 3) { System.out.println("missing trust folder: status " + e.status()); mismatched++; }
        }
        System.out.println(checked + " checked, " + mismatched + " mismatched");
        System.exit(mismatched == 0 ? 0 : 1);
    }
}
