package org.jtrove.model;

import java.time.Instant;
import java.util.List;

/** Who is calling: the token's user and project, and the user's roles in that project. */
public record AuthContext(String userId, String userName, String projectId, String projectName, List<String> roles,
                          Instant expiresAt) {
    public static final String ADMIN = "admin";
    public static final String MEMBER = "member";

    public AuthContext {
        roles = List.copyOf(roles);
    }

    public boolean isAdmin() {
        return roles.contains(ADMIN);
    }
}
