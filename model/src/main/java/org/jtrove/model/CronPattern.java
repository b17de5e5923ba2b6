package org.jtrove.model;

import com.cronutils.model.Cron;
import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * A backup schedule's pattern: a Unix cron expression of five fields (minute hour day-of-month month day-of-week,
 * e.g. {@code "0 3 * * *"}), as python-troveclient's {@code schedule-create} takes it, read in UTC (parsed by
 * cron-utils).
 */
public final class CronPattern {
    private static final CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    private final String text;
    private final ExecutionTime execution;

    private CronPattern(String text, Cron cron) {
        this.text = text;
        this.execution = ExecutionTime.forCron(cron);
    }

    /**
     * @throws JtroveException 400 with the parser's reason when {@code text} is not a five-field cron expression
     */
    public static CronPattern parse(String text) {
        if (text == null || text.isBlank() || text.length() > 255) {
            throw JtroveException.badRequest("A schedule pattern is a cron expression of five fields (minute hour"
                    + " day-of-month month day-of-week), such as \"0 3 * * *\".");
        }
        try {
            Cron cron = PARSER.parse(text.trim());
            cron.validate();
            return new CronPattern(text.trim(), cron);
        } catch (IllegalArgumentException e) {
            throw JtroveException.badRequest("Invalid schedule pattern \"" + text.replaceAll("\\p{Cntrl}", "?")
                    + "\": " + e.getMessage() + ". Use five cron fields (minute hour day-of-month month day-of-week),"
                    + " such as \"0 3 * * *\".");
        }
    }

    /** The first run strictly after {@code after}. */
    public Instant next(Instant after) {
        return execution.nextExecution(ZonedDateTime.ofInstant(after, ZoneOffset.UTC)).map(ZonedDateTime::toInstant)
                .orElseThrow(() -> JtroveException.badRequest("The schedule pattern \"" + text + "\" never runs."));
    }

    @Override
    public String toString() {
        return text;
    }
}
