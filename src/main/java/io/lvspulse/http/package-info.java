/** The HTTP endpoints (JDK HttpServer): /metrics, /status (JSON or text), /healthz. */
@NullMarked
package io.lvspulse.http;

import org.jspecify.annotations.NullMarked;
