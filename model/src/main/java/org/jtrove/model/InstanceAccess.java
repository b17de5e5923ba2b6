package org.jtrove.model;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Who may connect to an instance's database port, in Trove's shape ({@code {"is_public": bool, "allowed_cidrs":
 * [...]}}): a public instance is also reachable on the host's public address; a non-empty {@code allowed_cidrs}
 * admits only those source networks, on every path (empty: any source). Entries are validated {@link Cidr} texts.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record InstanceAccess(@JsonProperty("is_public") boolean isPublic,
                             @JsonProperty("allowed_cidrs") List<String> allowedCidrs) {
    /** What an instance gets when nobody asked: not public, any source. */
    public static final InstanceAccess DEFAULT = new InstanceAccess(false, List.of());

    public InstanceAccess {
        allowedCidrs = allowedCidrs == null ? List.of() : List.copyOf(allowedCidrs);
    }

    /** The allowed networks, parsed. */
    public List<Cidr> networks() {
        return allowedCidrs.stream().map(c -> Cidr.parse(c, "allowed_cidrs")).toList();
    }
}
