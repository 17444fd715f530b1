package io.lvspulse.monitor;

import java.time.Instant;

/** A change of a real server's health, with the reason that caused it. */
public record Transition(Health from, Health to, String reason, Instant at) {}
