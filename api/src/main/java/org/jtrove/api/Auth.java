package org.jtrove.api;

import io.javalin.http.Context;
import java.util.List;
import org.jtrove.identity.TokenValidator;
import org.jtrove.model.AuthContext;
import org.jtrove.model.JtroveException;

/**
 * Authentication of /v1.0 requests. With a token validator, X-Auth-Token is required and the project in the path
 * must be the token's project; in no-auth mode (local development) the path's project is trusted.
 * A validated token with the {@code admin} role reaches every project's resources through its own project's path
 * (Trove's admin context); in no-auth mode every lookup stays in the path's project.
 */
final class Auth {
    static final String ATTRIBUTE = "jtrove.auth";
    private static final String ALL_PROJECTS = "jtrove.allProjects";
    private final TokenValidator validator;

    Auth(TokenValidator validator) {
        this.validator = validator;
    }

    void check(Context ctx) {
        String project = ctx.pathParamMap().get("project");
        if (validator == null) {
            ctx.attribute(ATTRIBUTE, new AuthContext("noauth", "noauth", project, project, List.of(AuthContext.ADMIN), null));
            return;
        }
        String token = ctx.header("X-Auth-Token");
        AuthContext auth = token == null ? null : validator.validate(token).orElse(null);
        if (auth == null) {
            ctx.header("WWW-Authenticate", "Keystone uri=\"" + ctx.scheme() + "://" + ctx.host() + "/v3\"");
            throw new IdentityController.KeystoneError(401, "Unauthorized",
                    "The request you have made requires authentication.");
        }
        if (project != null && !project.equals(auth.projectId())) {
            throw new JtroveException(403, "Project " + project.replaceAll("\\p{Cntrl}", "?")
                    + " is not the project of your token; use the URL from your service catalog.");
        }
        ctx.attribute(ATTRIBUTE, auth);
        ctx.attribute(ALL_PROJECTS, auth.isAdmin());
    }

    static AuthContext of(Context ctx) {
        return ctx.attribute(ATTRIBUTE);
    }

    /** True when the caller's token is an admin's: lookups by id then ignore the project (Trove's is_admin). */
    static boolean reachesAllProjects(Context ctx) {
        return Boolean.TRUE.equals(ctx.attribute(ALL_PROJECTS));
    }
}
