package io.lvspulse.monitor;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.quartz.Job;
import org.quartz.JobBuilder;
import org.quartz.JobExecutionContext;
import org.quartz.JobKey;
import org.quartz.Scheduler;
import org.quartz.SchedulerException;
import org.quartz.SimpleScheduleBuilder;
import org.quartz.Trigger;
import org.quartz.TriggerBuilder;
import org.quartz.TriggerKey;
import org.quartz.impl.StdSchedulerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quartz (in-memory job store) firing one trigger per (virtual service, real server). All triggers
 * fire one shared durable job, and the trigger's name says which server's callback to run: a
 * JobDetail (with its key, wrapper, data map and job-store index entries) per server would cost
 * about 400 bytes each for nothing (10,000 servers: 4 MB of heap). The job only calls the
 * registered callback, which starts an asynchronous probe and returns, so a slow or dead server
 * never holds a Quartz thread; two worker threads are plenty for 10,000 servers. Misfires (a paused
 * JVM) skip to the next fire time instead of bursting.
 */
public final class QuartzProbeScheduler implements ProbeScheduler {
  private static final Logger log = LoggerFactory.getLogger(QuartzProbeScheduler.class);
  private static final AtomicInteger INSTANCES = new AtomicInteger();
  private static final String GROUP = "probes";
  private static final String CALLBACKS = "lvs-pulse.callbacks";
  private static final JobKey JOB = new JobKey("fire", GROUP);

  private final Scheduler quartz;
  private final Map<String, Runnable> callbacks = new ConcurrentHashMap<>();

  public QuartzProbeScheduler() {
    Properties p = new Properties();
    p.setProperty("org.quartz.scheduler.instanceName", "lvs-pulse-" + INSTANCES.incrementAndGet());
    p.setProperty("org.quartz.scheduler.skipUpdateCheck", "true");
    p.setProperty("org.quartz.threadPool.class", "org.quartz.simpl.SimpleThreadPool");
    p.setProperty("org.quartz.threadPool.threadCount", "2");
    p.setProperty("org.quartz.threadPool.threadNamePrefix", "lvs-pulse-quartz");
    p.setProperty("org.quartz.threadPool.makeThreadsDaemons", "true");
    p.setProperty("org.quartz.scheduler.makeSchedulerThreadDaemon", "true");
    p.setProperty("org.quartz.jobStore.class", "org.quartz.simpl.RAMJobStore");
    p.setProperty("org.quartz.jobStore.misfireThreshold", "2000");
    p.setProperty("org.quartz.scheduler.batchTriggerAcquisitionMaxCount", "100");
    try {
      quartz = new StdSchedulerFactory(p).getScheduler();
      quartz.getContext().put(CALLBACKS, callbacks);
      quartz.addJob(
          JobBuilder.newJob(FireJob.class).withIdentity(JOB).storeDurably().build(), true);
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot create the Quartz scheduler: " + e.getMessage(), e);
    }
  }

  /** The Quartz job: look up the callback by trigger name and run it. */
  public static final class FireJob implements Job {
    @Override
    @SuppressWarnings("unchecked")
    public void execute(JobExecutionContext ctx) {
      try {
        Map<String, Runnable> cbs =
            (Map<String, Runnable>) ctx.getScheduler().getContext().get(CALLBACKS);
        Runnable r = cbs == null ? null : cbs.get(ctx.getTrigger().getKey().getName());
        if (r != null) {
          r.run();
        }
      } catch (SchedulerException | RuntimeException e) {
        log.warn(
            "probe job {} failed to start: {}", ctx.getTrigger().getKey().getName(), e.toString());
      }
    }
  }

  @Override
  public void schedule(String name, Duration interval, Duration initialDelay, Runnable fire) {
    callbacks.put(name, fire);
    TriggerKey key = new TriggerKey(name, GROUP);
    Trigger trigger =
        TriggerBuilder.newTrigger()
            .withIdentity(key)
            .forJob(JOB)
            .startAt(Date.from(Instant.now().plus(initialDelay)))
            .withSchedule(
                SimpleScheduleBuilder.simpleSchedule()
                    .withIntervalInMilliseconds(Math.max(1, interval.toMillis()))
                    .repeatForever()
                    .withMisfireHandlingInstructionNextWithRemainingCount())
            .build();
    try {
      quartz.unscheduleJob(key);
      quartz.scheduleJob(trigger);
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot schedule probe " + name + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void unschedule(String name) {
    callbacks.remove(name);
    try {
      quartz.unscheduleJob(new TriggerKey(name, GROUP));
    } catch (SchedulerException e) {
      log.warn("cannot unschedule probe {}: {}", name, e.getMessage());
    }
  }

  @Override
  public void start() {
    try {
      quartz.start();
    } catch (SchedulerException e) {
      throw new IllegalStateException("cannot start Quartz: " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      quartz.shutdown(false);
    } catch (SchedulerException e) {
      log.warn("Quartz shutdown: {}", e.getMessage());
    }
  }
}
