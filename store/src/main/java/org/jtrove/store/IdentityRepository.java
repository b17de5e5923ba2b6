package org.jtrove.store;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.reflect.ConstructorMapper;

/** Projects, users, role assignments and token hashes of the built-in identity service. */
public final class IdentityRepository {
    public record Project(String id, String name, boolean enabled, Instant created) {}

    public record User(String id, String name, String passwordHash, boolean enabled, Instant created) {}

    public record Token(String tokenHash, String userId, String projectId, Instant issuedAt, Instant expiresAt,
                        boolean revoked) {}

    private final Jdbi jdbi;

    IdentityRepository(Jdbi jdbi) {
        this.jdbi = jdbi;
        jdbi.registerRowMapper(ConstructorMapper.factory(Project.class));
        jdbi.registerRowMapper(ConstructorMapper.factory(User.class));
        jdbi.registerRowMapper(ConstructorMapper.factory(Token.class));
    }

    public void insertProject(Project p) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO identity_projects (id, name, enabled, created)"
                + " VALUES (:id, :name, :enabled, :created)").bindMethods(p).execute());
    }

    public Optional<Project> project(String idOrName) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM identity_projects WHERE id = :v OR name = :v")
                .bind("v", idOrName).mapTo(Project.class).findFirst());
    }

    public List<Project> projects() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM identity_projects ORDER BY name").mapTo(Project.class).list());
    }

    public void insertUser(User u) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO identity_users (id, name, password_hash, enabled, created)"
                + " VALUES (:id, :name, :passwordHash, :enabled, :created)").bindMethods(u).execute());
    }

    public void setPasswordHash(String userId, String hash) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE identity_users SET password_hash = :h WHERE id = :id")
                .bind("h", hash).bind("id", userId).execute());
    }

    public Optional<User> user(String idOrName) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM identity_users WHERE id = :v OR name = :v")
                .bind("v", idOrName).mapTo(User.class).findFirst());
    }

    public List<User> users() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM identity_users ORDER BY name").mapTo(User.class).list());
    }

    public boolean hasUsers() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM identity_users").mapTo(Integer.class).one()) > 0;
    }

    public void assignRole(String userId, String projectId, String role) {
        jdbi.useHandle(h -> {
            int exists = h.createQuery("SELECT COUNT(*) FROM identity_role_assignments WHERE user_id = :u"
                            + " AND project_id = :p AND role = :r")
                    .bind("u", userId).bind("p", projectId).bind("r", role).mapTo(Integer.class).one();
            if (exists == 0) {
                h.createUpdate("INSERT INTO identity_role_assignments (user_id, project_id, role) VALUES (:u, :p, :r)")
                        .bind("u", userId).bind("p", projectId).bind("r", role).execute();
            }
        });
    }

    public void removeRole(String userId, String projectId, String role) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM identity_role_assignments WHERE user_id = :u AND project_id = :p"
                + " AND role = :r").bind("u", userId).bind("p", projectId).bind("r", role).execute());
    }

    public List<String> roles(String userId, String projectId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT role FROM identity_role_assignments WHERE user_id = :u"
                        + " AND project_id = :p ORDER BY role")
                .bind("u", userId).bind("p", projectId).mapTo(String.class).list());
    }

    public void insertToken(Token t) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO identity_tokens (token_hash, user_id, project_id, issued_at,"
                + " expires_at, revoked) VALUES (:tokenHash, :userId, :projectId, :issuedAt, :expiresAt, :revoked)")
                .bindMethods(t).execute());
    }

    public Optional<Token> token(String tokenHash) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM identity_tokens WHERE token_hash = :t")
                .bind("t", tokenHash).mapTo(Token.class).findFirst());
    }

    public boolean revokeToken(String tokenHash) {
        return jdbi.withHandle(h -> h.createUpdate("UPDATE identity_tokens SET revoked = TRUE WHERE token_hash = :t")
                .bind("t", tokenHash).execute()) > 0;
    }

    public int deleteExpiredTokens(Instant before) {
        return jdbi.withHandle(h -> h.createUpdate("DELETE FROM identity_tokens WHERE expires_at < :t")
                .bind("t", before).execute());
    }
}
