package org.jtrove.model.guest;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Guest agent to conductor: how a long operation ({@code prepare}, {@code restart}, {@code resize},
 * {@code apply_configuration}) ended. {@code status} is the HTTP-like status of a failure (0 when it succeeded);
 * {@code result} the operation's JSON result, if any. Reported again when the same operation id is sent again.
 */
public record OperationReport(String instanceId, String operationId, String method, boolean ok, int status,
                              String message, JsonNode result, double sent) {}
