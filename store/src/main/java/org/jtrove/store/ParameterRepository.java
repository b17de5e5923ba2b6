package org.jtrove.store;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jtrove.model.Json;
import org.jtrove.model.config.ConfigParameter;

/** The parameter catalogue of each datastore version (Trove's datastore_configuration_parameters). */
public final class ParameterRepository {
    private final Jdbi jdbi;

    ParameterRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Replaces the version's catalogue with {@code parameters}, in one transaction. */
    public void replace(String versionId, List<ConfigParameter> parameters) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM datastore_parameters WHERE datastore_version_id = :v").bind("v", versionId).execute();
            for (ConfigParameter p : parameters) {
                h.createUpdate("INSERT INTO datastore_parameters (datastore_version_id, name, data_type, min_value,"
                                + " max_value, restart_required, allowed_values) VALUES (:v, :name, :type, :min, :max, :restart,"
                                + " :allowed)")
                        .bind("v", versionId).bind("name", p.name()).bind("type", p.type())
                        .bind("min", p.min() == null ? null : p.min().toPlainString())
                        .bind("max", p.max() == null ? null : p.max().toPlainString())
                        .bind("restart", p.restartRequired())
                        .bind("allowed", p.allowed().isEmpty() ? null : Json.write(p.allowed())).execute();
            }
        });
    }

    public List<ConfigParameter> list(String versionId) {
        return jdbi.withHandle(h -> h.createQuery(
                        "SELECT * FROM datastore_parameters WHERE datastore_version_id = :v ORDER BY name")
                .bind("v", versionId).map((rs, c) -> new ConfigParameter(rs.getString("name"), rs.getString("data_type"),
                        decimal(rs.getString("min_value")), decimal(rs.getString("max_value")),
                        rs.getBoolean("restart_required"), allowed(rs.getString("allowed_values")))).list());
    }

    public Optional<ConfigParameter> find(String versionId, String name) {
        return list(versionId).stream().filter(p -> p.name().equalsIgnoreCase(name)).findFirst();
    }

    private static BigDecimal decimal(String s) {
        return s == null ? null : new BigDecimal(s);
    }

    private static List<String> allowed(String json) {
        List<String> out = new ArrayList<>();
        if (json != null) {
            Json.parse(json).forEach(v -> out.add(v.asText()));
        }
        return out;
    }
}
