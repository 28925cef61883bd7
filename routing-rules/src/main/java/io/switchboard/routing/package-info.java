/**
 * Routing rules: the rule model read from config/routing.yaml, its validation, the sandboxed condition
 * language and agent scoring. Pure Java without I/O, so the same code runs inside the hub and in the
 * what-if simulator.
 */
package io.switchboard.routing;
