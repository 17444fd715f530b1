/**
 * nanny's built-in socket probe ({@code pinger}): TCP connect / send / expect and UDP send / reply,
 * all on one shared NIO selector thread ({@link io.lvspulse.probe.socket.SocketProbeEngine}) with a
 * hard deadline per probe.
 */
@NullMarked
package io.lvspulse.probe.socket;

import org.jspecify.annotations.NullMarked;
