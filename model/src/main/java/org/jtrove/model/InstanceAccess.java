package org.jtrove.model;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * Who may connect to an instance's database port, in Trove's shape ({@code {"is_public": bool, "allowed_cidrs":
 * [...]}}): a public instance is also reachable on the host's public address; a non-empty {@code allowed_cidrs}
 * admits only those source networks, on every path (empty: any source). Entries are validated {@link Cidr} texts.
 * {@code replicas} is jtrove's own, never given by users nor recorded: the ids of the instances that replicate from
 * this one, whose servers' connections the host always admits (the taskmanager adds them when it sends the access
 * to the host).
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record InstanceAccess(@JsonProperty("is_public") boolean isPublic,
                             @JsonProperty("allowed_cidrs") List<String> allowedCidrs,
                             @JsonProperty("replicas") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> replicas) {
    /** What an instance gets when nobody asked: not public, any source. */
    public static final InstanceAccess DEFAULT = new InstanceAccess(false, List.of());

    @JsonCreator
    public InstanceAccess {
        allowedCidrs = allowedCidrs == null ? List.of() : List.copyOf(allowedCidrs);
        replicas = replicas == null ? List.of() : List.copyOf(replicas);
    }

    /** A user's access: whether the instance is public and the allowed networks. */
    public InstanceAccess(boolean isPublic, List<String> allowedCidrs) {
        this(isPublic, allowedCidrs, List.of());
    }

    /** The same access, admitting the servers of {@code replicaIds} (none: the access users gave). */
    public InstanceAccess withReplicas(List<String> replicaIds) {
        return new InstanceAccess(isPublic, allowedCidrs, replicaIds);
    }

    /** The allowed networks, parsed. */
    public List<Cidr> networks() {
        return allowedCidrs.stream().map(c -> Cidr.parse(c, "allowed_cidrs")).toList();
    }
}
