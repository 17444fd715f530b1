/**
 * nanny's built-in socket probe ({@code pinger}): TCP connect / send / expect and UDP send / reply,
 * all on one shared NIO selector thread ({@link io.lvspulse.probe.socket.SocketProbeEngine}) with a
 * hard deadline per probe.
 */
@org.jspecify.annotations.NullMarked
package io.lvspulse.probe.socket;
