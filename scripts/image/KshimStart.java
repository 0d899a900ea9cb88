// SPDX-License-Identifier: Apache-2.0
// The broker's start in one JVM: kafka.docker.KafkaDockerWrapper setup (configuration files and
// storage format), then kafka.Kafka, instead of one JVM for each (it saves a JVM start per broker).
//
// Usage: KshimStart SERVER_PROPERTIES SETUP_ARGS...  (SETUP_ARGS as for KafkaDockerWrapper)
// System properties: kshim.log4j.broker, kshim.log4j.default: the broker's log4j configuration
// (the first readable one), loaded once setup is done; unset when the user chose the log4j
// options (KAFKA_LOG4J_OPTS). Setup runs with the tools' configuration, as a separate JVM would.
// Kafka classes are reached by reflection, so one build serves Kafka 3.9 and 4.x.
package kshim;

import java.io.File;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;

public final class KshimStart {
    /** Thrown by the exit procedure that stands in for System.exit while setup runs. */
    private static final class SetupExit extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int code;

        SetupExit(int code, String message) {
            super(message, null, false, false);
            this.code = code;
        }
    }

    public static void main(String[] args) throws Throwable {
        if (args.length < 2) {
            System.err.println("usage: KshimStart SERVER_PROPERTIES SETUP_ARGS...");
            System.exit(2);
        }
        int code = setup(Arrays.copyOfRange(args, 1, args.length));
        if (code != 0) {
            System.err.println("===> ERROR: kafka.docker.KafkaDockerWrapper setup failed (exit " + code
                    + "), see above");
            System.exit(1);
        }
        brokerLogging();
        System.out.println("===> Launching ... ");
        runMain("kafka.Kafka", new String[] {args[0]});
    }

    /** Kafka 4.x moved its Exit class to an internals package. */
    private static Class<?> exitClass() throws ClassNotFoundException {
        try {
            return Class.forName("org.apache.kafka.common.utils.internals.Exit");
        } catch (ClassNotFoundException e) {
            return Class.forName("org.apache.kafka.common.utils.Exit");
        }
    }

    /** Runs the wrapper's setup; its exit status, 0 when storage was formatted before. */
    private static int setup(String[] args) throws Throwable {
        Class<?> exit = exitClass();
        Class<?> procedure = Class.forName(exit.getName() + "$Procedure");
        Object stop = Proxy.newProxyInstance(procedure.getClassLoader(), new Class<?>[] {procedure},
                (self, m, a) -> {
                    if (m.getName().equals("execute"))
                        throw new SetupExit((Integer) a[0], (String) a[1]);
                    if (m.getName().equals("equals"))
                        return self == a[0];
                    return m.getName().equals("hashCode") ? System.identityHashCode(self) : "exit";
                });
        exit.getMethod("setExitProcedure", procedure).invoke(null, stop);
        try {
            runMain("kafka.docker.KafkaDockerWrapper", args);
            return 0;
        } catch (SetupExit e) {
            if (e.code != 0 && e.getMessage() != null
                    && e.getMessage().toLowerCase().contains("already formatted")) {
                System.out.println("Storage already formatted; keeping it.");
                return 0;
            }
            return e.code;
        } catch (Throwable t) {
            // as a JVM of its own would die, but with the cause as the last line of the log
            t.printStackTrace();
            System.err.println("===> ERROR: kafka.docker.KafkaDockerWrapper setup failed: " + t);
            System.exit(1);
            return 1;
        } finally {
            exit.getMethod("resetExitProcedure").invoke(null);
        }
    }

    /** Switches log4j (2 for a .yaml/.xml/.json file, 1 for .properties) to the broker's file. */
    private static void brokerLogging() throws Throwable {
        String path = readable(System.getProperty("kshim.log4j.broker"));
        if (path == null)
            path = readable(System.getProperty("kshim.log4j.default"));
        if (path == null)
            return;
        if (path.endsWith(".properties")) {
            System.setProperty("log4j.configuration", new File(path).toURI().toString());
            Class.forName("org.apache.log4j.LogManager").getMethod("resetConfiguration").invoke(null);
            Class.forName("org.apache.log4j.PropertyConfigurator")
                    .getMethod("configure", String.class)
                    .invoke(null, path);
        } else {
            System.setProperty("log4j2.configurationFile", path);
            Class.forName("org.apache.logging.log4j.core.config.Configurator")
                    .getMethod("reconfigure", java.net.URI.class)
                    .invoke(null, new File(path).toURI());
        }
    }

    private static String readable(String path) {
        return path != null && !path.isEmpty() && new File(path).canRead() ? path : null;
    }

    private static void runMain(String cls, String[] args) throws Throwable {
        Method main = Class.forName(cls).getMethod("main", String[].class);
        try {
            main.invoke(null, (Object) args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
