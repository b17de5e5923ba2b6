package org.jtrove.server.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.temporal.ChronoUnit;

/**
 * Declares where a configuration record's component comes from: {@code [section] name} in the INI files, its
 * default, what it means, and whether it is a secret (never printed). Environment variables override files:
 * {@code JTROVE_<SECTION>__<NAME>} for any key, {@code JTROVE_<NAME>} for keys of {@code [DEFAULT]}, and
 * {@code JTROVE_<LEGACY>} for the flat names of jtrove's earlier configuration.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD})
public @interface Key {
    /** The default of a key that has none: the value is null (explicitly unset). */
    String UNSET = "\u0000unset";

    String section() default "DEFAULT";

    String name();

    /** The default, as it would be written in the file; {@link #UNSET} for none. */
    String value() default UNSET;

    String description();

    boolean secret() default false;

    /** For a {@code Duration}: the unit of the number written in the file (seconds, as oslo.config's options). */
    ChronoUnit unit() default ChronoUnit.SECONDS;

    /** The key's flat name in jtrove's earlier configuration (its environment variable still works); "" for none. */
    String legacy() default "";
}
