package org.jtrove.server;

import java.util.ArrayList;
import java.util.List;

/** The table a fault campaign prints: one row per fault (tried / held / lost / orphans), then what went wrong. */
final class CampaignTable {
    private final String title;
    private final List<String> lines = new ArrayList<>();
    private final List<String> problems = new ArrayList<>();

    CampaignTable(String title) {
        this.title = title;
    }

    /** Adds a round's row and its details; returns how many operations it lost plus how many orphans it left. */
    synchronized int add(String fault, InFlightOperations.Round r) {
        lines.add(String.format("%-34s %6d %6d %6d %8d", fault, r.tried(), r.tried() - r.lost().size(),
                r.lost().size(), r.orphans().size()));
        r.lost().forEach(l -> problems.add(fault + ": lost: " + l));
        r.orphans().forEach(o -> problems.add(fault + ": orphan: " + o));
        r.lost().forEach(l -> lines.add("    lost: " + l));
        r.orphans().forEach(o -> lines.add("    orphan: " + o));
        if (!r.details().isEmpty()) {
            lines.add("    log lines of the instances concerned:\n" + r.details());
        }
        return r.lost().size() + r.orphans().size();
    }

    /** Every lost operation and orphan so far, one per line, for an assertion's message (CI shows those). */
    synchronized String problems() {
        return String.join("\n", problems);
    }

    synchronized void print() {
        System.out.println("\n" + title + ":");
        System.out.printf("%-34s %6s %6s %6s %8s%n", "fault", "tried", "held", "lost", "orphans");
        lines.forEach(System.out::println);
    }
}
