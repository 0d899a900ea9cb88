// SPDX-License-Identifier: Apache-2.0
// Test client: for each HOST, connects to HOST:PORT with java.net.Socket or
// java.nio.channels.SocketChannel under the JVM's default (dual-stack IPv6)
// settings, sends "who\n" and prints
//   HOST identity=NAME remote=ADDRESS:PORT
// where ADDRESS is what the connected socket reports as its remote address.
// Exits 1 on the first failure.
//   java -cp tests/out JavaClient socket|channel PORT HOST...
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

public class JavaClient {
    static String firstLine(byte[] b) {
        String s = new String(b, StandardCharsets.UTF_8);
        int i = s.indexOf('\n');
        return (i >= 0 ? s.substring(0, i) : s).replace("\r", "");
    }

    static String viaSocket(String host, int port) throws Exception {
        try (Socket s = new Socket(host, port)) {
            s.setSoTimeout(5000);
            OutputStream out = s.getOutputStream();
            out.write("who\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[512];
            int n;
            while ((n = in.read(buf)) > 0) got.write(buf, 0, n);
            InetSocketAddress r = (InetSocketAddress) s.getRemoteSocketAddress();
            return "identity=" + firstLine(got.toByteArray()) + " remote="
                + r.getAddress().getHostAddress() + ":" + r.getPort();
        }
    }

    static String viaChannel(String host, int port) throws Exception {
        try (SocketChannel ch = SocketChannel.open(new InetSocketAddress(host, port))) {
            ch.write(ByteBuffer.wrap("who\n".getBytes(StandardCharsets.US_ASCII)));
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            ByteBuffer buf = ByteBuffer.allocate(512);
            while (ch.read(buf) > 0) {
                buf.flip();
                got.write(buf.array(), 0, buf.limit());
                buf.clear();
            }
            InetSocketAddress r = (InetSocketAddress) ch.getRemoteAddress();
            return "identity=" + firstLine(got.toByteArray()) + " remote="
                + r.getAddress().getHostAddress() + ":" + r.getPort();
        }
    }

    public static void main(String[] args) {
        if (args.length < 3 || !(args[0].equals("socket") || args[0].equals("channel"))) {
            System.err.println("usage: JavaClient socket|channel PORT HOST...");
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        for (int i = 2; i < args.length; i++) {
            try {
                String line = args[0].equals("socket") ? viaSocket(args[i], port)
                                                       : viaChannel(args[i], port);
                System.out.println(args[i] + " " + line);
            } catch (Exception e) {
                System.err.println("JavaClient " + args[0] + " " + args[i] + ": " + e);
                System.exit(1);
            }
        }
    }
}
