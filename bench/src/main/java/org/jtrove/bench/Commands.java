package org.jtrove.bench;

import java.util.Map;

/** Runs a command for a benchmark and returns its output; a failure ends the benchmark with the output. */
final class Commands {
    private Commands() {}

    static String exec(String... command) throws Exception {
        return execEnv(Map.of(), command);
    }

    static String execEnv(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out.strip());
        }
        return out;
    }
}
