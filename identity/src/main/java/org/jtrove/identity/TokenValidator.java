package org.jtrove.identity;

import java.util.Optional;
import org.jtrove.model.AuthContext;

/** Turns a token into the caller's identity, or nothing when the token is unknown, expired or revoked. */
public interface TokenValidator {
    Optional<AuthContext> validate(String token);
}
