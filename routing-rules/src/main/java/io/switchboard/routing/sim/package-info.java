/**
 * What-if simulation: replays arrivals against a rule set and a roster in simulated time, with the same
 * {@link io.switchboard.routing.RoutingRules} and {@link io.switchboard.routing.Matcher} the hub uses, and reports
 * per-queue service level, speed of answer, abandon rate and occupancy. {@link io.switchboard.routing.sim.Simulator}
 * is the engine, {@link io.switchboard.routing.sim.WhatIfCommand} the command line that compares two rule files.
 */
package io.switchboard.routing.sim;
