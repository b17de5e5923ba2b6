package org.jtrove.identity;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.jtrove.model.AuthContext;
import org.jtrove.model.Secrets;
import org.jtrove.store.IdentityRepository;
import org.jtrove.store.IdentityRepository.Project;
import org.jtrove.store.IdentityRepository.Token;
import org.jtrove.store.IdentityRepository.User;

/**
 * jtrove's own identity service, compatible with Keystone v3 password authentication: users, projects, role
 * assignments (admin, member) and random, expiring, revocable tokens of which only a hash is stored.
 */
public final class BuiltinIdentity implements TokenValidator {
    public static final List<String> ROLES = List.of(AuthContext.ADMIN, AuthContext.MEMBER);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final IdentityRepository repo;
    private final PasswordHasher hasher;
    private final Duration tokenLifetime;
    private final String dummyHash;

    public record Issued(String token, AuthContext context, Instant issuedAt) {}

    /** Wrong user, wrong password, disabled, or no role in the project: one answer for all, as Keystone gives. */
    public static final class AuthenticationFailed extends RuntimeException {
        AuthenticationFailed() {
            super("The request you have made requires authentication.");
        }
    }

    public BuiltinIdentity(IdentityRepository repo, PasswordHasher hasher, Duration tokenLifetime) {
        this.repo = repo;
        this.hasher = hasher;
        this.tokenLifetime = tokenLifetime;
        this.dummyHash = hasher.hash(UUID.randomUUID().toString());
    }

    public Issued authenticate(String userName, String password, String project) {
        Optional<User> user = repo.user(userName);
        // Verify against a dummy hash for unknown users too, so timing does not tell which users exist.
        boolean passwordOk = hasher.matches(password, user.map(User::passwordHash).orElse(dummyHash));
        if (user.isEmpty() || !passwordOk || !user.get().enabled()) {
            throw new AuthenticationFailed();
        }
        Project p = repo.project(project).filter(Project::enabled).orElseThrow(AuthenticationFailed::new);
        List<String> roles = repo.roles(user.get().id(), p.id());
        if (roles.isEmpty()) {
            throw new AuthenticationFailed();
        }
        if (RANDOM.nextInt(100) == 0) {
            repo.deleteExpiredTokens(Instant.now());
        }
        String token = newToken();
        Instant issued = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant expires = issued.plus(tokenLifetime);
        repo.insertToken(new Token(hash(token), user.get().id(), p.id(), issued, expires, false));
        return new Issued(token, new AuthContext(user.get().id(), user.get().name(), p.id(), p.name(), roles, expires), issued);
    }

    @Override
    public Optional<AuthContext> validate(String token) {
        if (token == null || token.isEmpty() || token.length() > 512) {
            return Optional.empty();
        }
        return repo.token(hash(token))
                .filter(t -> !t.revoked() && t.expiresAt().isAfter(Instant.now()))
                .flatMap(t -> {
                    Optional<User> user = repo.user(t.userId()).filter(User::enabled);
                    Optional<Project> project = repo.project(t.projectId()).filter(Project::enabled);
                    List<String> roles = user.isPresent() ? repo.roles(t.userId(), t.projectId()) : List.of();
                    if (user.isEmpty() || project.isEmpty() || roles.isEmpty()) {
                        return Optional.empty();
                    }
                    return Optional.of(new AuthContext(user.get().id(), user.get().name(), project.get().id(),
                            project.get().name(), roles, t.expiresAt()));
                });
    }

    public List<Project> projects() {
        return repo.projects();
    }

    public boolean revoke(String token) {
        return token != null && repo.revokeToken(hash(token));
    }

    public Project createProject(String name) {
        checkName("project", name, 64);
        if (repo.project(name).isPresent()) {
            throw new IllegalArgumentException("project " + name + " exists already");
        }
        Project p = new Project(UUID.randomUUID().toString().replace("-", ""), name, true, Instant.now());
        repo.insertProject(p);
        return p;
    }

    public User createUser(String name, String password) {
        checkName("user", name, 255);
        if (repo.user(name).isPresent()) {
            throw new IllegalArgumentException("user " + name + " exists already");
        }
        User u = new User(UUID.randomUUID().toString().replace("-", ""), name, hasher.hash(checkPassword(password)),
                true, Instant.now());
        repo.insertUser(u);
        return u;
    }

    public void setPassword(String userName, String password) {
        User u = repo.user(userName).orElseThrow(() -> new IllegalArgumentException("no user " + userName));
        repo.setPasswordHash(u.id(), hasher.hash(checkPassword(password)));
    }

    public void assignRole(String userName, String projectName, String role) {
        if (!ROLES.contains(role)) {
            throw new IllegalArgumentException("unknown role " + role + "; roles are " + ROLES);
        }
        User u = repo.user(userName).orElseThrow(() -> new IllegalArgumentException("no user " + userName));
        Project p = repo.project(projectName).orElseThrow(() -> new IllegalArgumentException("no project " + projectName));
        repo.assignRole(u.id(), p.id(), role);
    }

    /**
     * On a first start (no users yet): project "admin", user "admin" with the given password (or a generated
     * one) and the admin role. Returns the password when it created the user.
     */
    public Optional<String> bootstrap(String adminPassword) {
        if (repo.hasUsers()) {
            return Optional.empty();
        }
        String password = adminPassword != null && !adminPassword.isEmpty() ? adminPassword : Secrets.password();
        if (repo.project("admin").isEmpty()) {
            createProject("admin");
        }
        createUser("admin", password);
        assignRole("admin", "admin", AuthContext.ADMIN);
        return Optional.of(password);
    }

    private static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void checkName(String what, String name, int max) {
        if (name == null || !name.matches("[A-Za-z0-9_.@-]{1," + max + "}")) {
            throw new IllegalArgumentException(what + " names use letters, digits and _ . @ - (at most " + max + ")");
        }
    }

    private static String checkPassword(String password) {
        if (password == null || password.length() < 8) {
            throw new IllegalArgumentException("passwords need at least 8 characters");
        }
        return password;
    }
}
