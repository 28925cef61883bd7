/**
 * Routing rules and matching, in pure Java without I/O, so the same code runs inside the hub, in the
 * what-if simulator and in the benchmark.
 *
 * <ul>
 *   <li>{@link io.switchboard.routing.RoutingRules#parse} reads config/routing.yaml text into a validated
 *       rule set (or a {@link io.switchboard.routing.RulesException} listing each problem with file, line
 *       and key);
 *   <li>{@link io.switchboard.routing.RoutingRules#classify} runs the rules in order (first match wins)
 *       over an interaction's facts and returns its {@link io.switchboard.routing.Classification}: queue,
 *       priority, skill requirements and relaxation steps;
 *   <li>{@link io.switchboard.routing.Classification#at} gives the requirement in force after a wait;
 *   <li>{@link io.switchboard.routing.Matcher#match} pairs waiting interactions with free agents and explains
 *       each decision.
 * </ul>
 */
package io.switchboard.routing;
