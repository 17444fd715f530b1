package io.lvspulse.announce;

import static org.assertj.core.api.Assertions.assertThat;

import io.lvspulse.testing.BirdProcess;
import io.lvspulse.testing.EcmpLab;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The router side of ECMP with real BIRDs: three directors' BIRDs (the shipped director template)
 * announce one VIP to a router BIRD (the shipped router template, {@code merge paths on}), and the
 * router's kernel gets one multipath route with a next hop per announcing director. No lvs-pulse:
 * the directors' VIP protocols are switched with {@link BirdAnnouncer} directly. Needs root and
 * bird2.
 */
class EcmpRouterIT {
  static final String VIP = "203.0.113.10";

  @TempDir Path dir;
  private @Nullable EcmpLab lab;
  private final List<BirdProcess> birds = new ArrayList<>();

  @AfterEach
  void tearDown() throws Exception {
    for (BirdProcess b : birds) {
      b.close();
    }
    if (lab != null) {
      lab.close();
    }
  }

  @Test
  void three_announcing_directors_give_the_router_one_route_with_three_next_hops()
      throws Exception {
    BirdProcess.binary();
    EcmpLab l = EcmpLab.create(3, 0);
    lab = l;
    List<String> directors = List.of(EcmpLab.director(1), EcmpLab.director(2), EcmpLab.director(3));
    birds.add(
        BirdProcess.start(
            l.router,
            dir,
            "router",
            BirdAnnouncerIT.routerConfig(EcmpLab.ROUTER_ADDRESS, directors)));
    List<BirdAnnouncer> announcers = new ArrayList<>();
    for (int n = 1; n <= 3; n++) {
      BirdProcess b =
          BirdProcess.start(
              l.directorNs(n),
              dir,
              "director" + n,
              BirdAnnouncerIT.directorConfig(
                  EcmpLab.director(n), EcmpLab.ROUTER_ADDRESS, List.of(VIP)));
      birds.add(b);
      announcers.add(new BirdAnnouncer(new BirdControl(b.socket(), Duration.ofSeconds(2))));
    }
    VipRoute vip = VipRoute.of(BirdAnnouncerTest.addr(VIP));
    for (BirdAnnouncer a : announcers) {
      BirdAnnouncerIT.await(
          "BGP Established",
          Duration.ofSeconds(30),
          () -> {
            try {
              return a.state(List.of()).anyEstablished();
            } catch (AnnounceException e) {
              return false;
            }
          });
      a.announce(vip);
    }
    long all =
        BirdAnnouncerIT.await(
            "3 next hops", Duration.ofSeconds(10), () -> l.nextHops(VIP).size() == 3);
    assertThat(l.nextHops(VIP)).isEqualTo(Set.copyOf(directors));
    assertThat(l.route(VIP)).contains("nexthop via " + EcmpLab.director(1));
    announcers.get(1).withdraw(vip);
    long two =
        BirdAnnouncerIT.await(
            "2 next hops", Duration.ofSeconds(10), () -> l.nextHops(VIP).size() == 2);
    assertThat(l.nextHops(VIP)).containsExactlyInAnyOrder(EcmpLab.director(1), EcmpLab.director(3));
    System.out.printf(
        "MEASURED router FIB: 3 next hops %d ms after the last enable; 2 next hops %d ms after one"
            + " disable%n",
        all, two);
    announcers.forEach(BirdAnnouncer::close);
  }
}
