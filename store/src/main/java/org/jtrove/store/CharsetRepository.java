package org.jtrove.store;

import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Jdbi;
import org.jtrove.model.guest.CharacterSets;

/**
 * The character sets and collations of each datastore version's server build ({@link CharacterSets}), rows of
 * kind {@code character_set} or {@code collation}.
 */
public final class CharsetRepository {
    private static final String CHARACTER_SET = "character_set";
    private static final String COLLATION = "collation";
    private final Jdbi jdbi;

    CharsetRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Replaces the version's character sets and collations, in one transaction. */
    public void replace(String versionId, CharacterSets sets) {
        jdbi.useTransaction(h -> {
            h.createUpdate("DELETE FROM datastore_charsets WHERE datastore_version_id = :v").bind("v", versionId).execute();
            var insert = h.prepareBatch("INSERT INTO datastore_charsets (datastore_version_id, kind, name, character_set,"
                    + " is_default) VALUES (:v, :kind, :name, :charset, :isDefault)");
            for (String name : sets.characterSets()) {
                insert.bind("v", versionId).bind("kind", CHARACTER_SET).bind("name", name).bindNull("charset", Types.VARCHAR)
                        .bind("isDefault", false).add();
            }
            for (CharacterSets.Collation c : sets.collations()) {
                insert.bind("v", versionId).bind("kind", COLLATION).bind("name", c.name()).bind("charset", c.characterSet())
                        .bind("isDefault", c.isDefault()).add();
            }
            if (insert.size() > 0) {
                insert.execute();
            }
        });
    }

    /** The version's character sets and collations; {@link CharacterSets#UNKNOWN} when none were read. */
    public CharacterSets find(String versionId) {
        List<Row> rows = jdbi.withHandle(h -> h.createQuery("SELECT kind, name, character_set, is_default"
                        + " FROM datastore_charsets WHERE datastore_version_id = :v ORDER BY kind, name").bind("v", versionId)
                .map((rs, ctx) -> new Row(rs.getString("kind"), rs.getString("name"), rs.getString("character_set"),
                        rs.getBoolean("is_default"))).list());
        List<String> charsets = new ArrayList<>();
        List<CharacterSets.Collation> collations = new ArrayList<>();
        for (Row r : rows) {
            if (CHARACTER_SET.equals(r.kind())) {
                charsets.add(r.name());
            } else {
                collations.add(new CharacterSets.Collation(r.name(), r.characterSet(), r.isDefault()));
            }
        }
        return new CharacterSets(charsets, collations);
    }

    private record Row(String kind, String name, String characterSet, boolean isDefault) {}
}
