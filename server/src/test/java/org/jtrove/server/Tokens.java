package org.jtrove.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.jtrove.identity.BuiltinIdentity;
import org.jtrove.identity.PasswordHasher;
import org.jtrove.model.AuthContext;
import org.jtrove.model.Json;

/** Real tokens from the built-in identity ({@code POST /v3/auth/tokens}), for tests acting as several users. */
final class Tokens {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    record Token(String token, String projectId) {}

    private Tokens() {}

    /** A project-scoped token; fails the test unless the identity answers 201. */
    static Token issue(int port, String user, String password, String project) {
        HttpResponse<String> r = request(port, user, password, project);
        if (r.statusCode() != 201) {
            throw new AssertionError("token for " + user + " in " + project + ": " + r.statusCode() + " " + r.body());
        }
        return new Token(r.headers().firstValue("X-Subject-Token").orElseThrow(),
                Json.parse(r.body()).at("/token/project/id").asText());
    }

    /** The identity's raw answer to a password authentication. */
    static HttpResponse<String> request(int port, String user, String password, String project) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v3/auth/tokens"))
                    .POST(HttpRequest.BodyPublishers.ofString(IdentityIsolationE2ETest.authBody(user, password, project)))
                    .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Creates {@code project} and {@code user}, a member of it, in the built-in identity. */
    static void createMember(AllInOne server, String user, String password, String project) {
        BuiltinIdentity identity = new BuiltinIdentity(server.store().identity, new PasswordHasher(4), Duration.ofHours(1));
        identity.createProject(project);
        identity.createUser(user, password);
        identity.assignRole(user, project, AuthContext.MEMBER);
    }

    /** An API client for {@code user}'s token, on its project's path. */
    static ApiClient client(int port, String user, String password, String project) {
        Token t = issue(port, user, password, project);
        return new ApiClient(port, t.projectId(), t.token());
    }
}
