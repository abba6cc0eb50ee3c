package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/mambaad/mambaad/app/serve"
	"github.com/spf13/cobra"
	"gopkg.in/yaml.v3"
)

// yamlDocs parses every document of every YAML file under deploy/.
func yamlDocs(t *testing.T) map[string][]map[string]any {
	t.Helper()
	files, _ := filepath.Glob("../../deploy/*/*.yaml")
	if len(files) < 6 {
		t.Fatalf("deploy/: %d manifests, want deployment, service, hpa, job, servingruntime, inferenceservice", len(files))
	}
	out := map[string][]map[string]any{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(b))
		for {
			var doc map[string]any
			err := dec.Decode(&doc)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			if doc == nil {
				continue
			}
			kind, _ := doc["kind"].(string)
			if kind == "" || doc["apiVersion"] == nil || dig(doc, "metadata", "name") == nil {
				t.Errorf("%s: a document without kind, apiVersion or metadata.name", f)
			}
			out[kind] = append(out[kind], doc)
		}
	}
	return out
}

// dig follows map keys and list indexes ("0") into a parsed document.
func dig(v any, path ...string) any {
	for _, p := range path {
		switch t := v.(type) {
		case map[string]any:
			v = t[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i >= len(t) {
				return nil
			}
			v = t[i]
		default:
			return nil
		}
	}
	return v
}

func strs(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// checkArgs parses a mambaad command line (subcommand and flags) with the
// binary's own command tree: an unknown subcommand or flag, or a bad value,
// fails. It returns the parsed command.
func checkArgs(t *testing.T, where string, args []string) *cobra.Command {
	t.Helper()
	root := newRootCmd()
	cmd, rest, err := root.Find(args)
	if err != nil || cmd == root {
		t.Fatalf("%s: %v is not a mambaad command: %v", where, args, err)
	}
	if err := cmd.ParseFlags(rest); err != nil {
		t.Fatalf("%s: %v: %v", where, args, err)
	}
	return cmd
}

// liveEndpoints serves a real model and reports which paths answer 200.
func liveEndpoints(t *testing.T) func(path string) bool {
	dir := t.TempDir()
	p := filepath.Join(dir, "m.ckpt")
	if _, err := serve.WriteSyntheticCheckpoint(p, serve.TinyConfig(), nil, 1); err != nil {
		t.Fatal(err)
	}
	s, err := serve.New(serve.Config{Models: []serve.ModelSpec{{Name: "model", Path: p}}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() { ts.Close(); s.Close() })
	return func(path string) bool {
		resp, err := ts.Client().Get(ts.URL + path)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == 200
	}
}

// TestDeployManifests: every manifest in deploy/ parses; each mambaad
// command line in them is one the binary accepts (subcommand, flags,
// values); the probes hit endpoints a real server answers 200 on; ports,
// labels and names agree between the Deployment, Service and HPA; the
// Indexed Job shards by JOB_COMPLETION_INDEX over as many shards as it has
// completions; the KServe runtime speaks v2 and serves the
// InferenceService's model format.
func TestDeployManifests(t *testing.T) {
	docs := yamlDocs(t)
	ok := liveEndpoints(t)
	for _, k := range []string{"Deployment", "Service", "HorizontalPodAutoscaler", "Job", "ClusterServingRuntime", "InferenceService"} {
		if len(docs[k]) != 1 {
			t.Fatalf("want one %s in deploy/, got %d", k, len(docs[k]))
		}
	}
	dep := docs["Deployment"][0]
	c := dig(dep, "spec", "template", "spec", "containers", "0")
	cmd := checkArgs(t, "Deployment", strs(dig(c, "args")))
	if cmd.Name() != "serve" {
		t.Fatalf("Deployment runs %s", cmd.Name())
	}
	_, port, _ := net.SplitHostPort(cmd.Flag("addr").Value.String())
	if cp := dig(c, "ports", "0", "containerPort"); strconv.Itoa(cp.(int)) != port || dig(c, "ports", "0", "name") != "http" {
		t.Errorf("containerPort %v, --addr port %s", cp, port)
	}
	for _, probe := range []string{"readinessProbe", "livenessProbe", "startupProbe"} {
		path, _ := dig(c, probe, "httpGet", "path").(string)
		if !strings.HasPrefix(path, "/v2/health/") || !ok(path) {
			t.Errorf("%s path %q is not a v2 health endpoint the server answers", probe, path)
		}
	}
	if dig(dep, "spec", "template", "spec", "securityContext", "runAsNonRoot") != true || dig(c, "securityContext", "readOnlyRootFilesystem") != true {
		t.Error("the Deployment must run non-root with a read-only root filesystem")
	}
	if dig(dep, "spec", "template", "metadata", "annotations", "prometheus.io/path") != "/metrics" || !ok("/metrics") {
		t.Error("metrics annotation")
	}
	labels := dig(dep, "spec", "template", "metadata", "labels").(map[string]any)
	svc := docs["Service"][0]
	for k, v := range dig(svc, "spec", "selector").(map[string]any) {
		if labels[k] != v {
			t.Errorf("Service selector %s=%v does not match the pods", k, v)
		}
	}
	if dig(svc, "spec", "ports", "0", "targetPort") != "http" {
		t.Error("Service targetPort must be the container's http port")
	}
	hpa := docs["HorizontalPodAutoscaler"][0]
	if dig(hpa, "spec", "scaleTargetRef", "kind") != "Deployment" || dig(hpa, "spec", "scaleTargetRef", "name") != dig(dep, "metadata", "name") {
		t.Error("the HPA does not scale the Deployment")
	}

	job := docs["Job"][0]
	if dig(job, "spec", "completionMode") != "Indexed" {
		t.Error("the Job is not Indexed")
	}
	jc := dig(job, "spec", "template", "spec", "containers", "0")
	args := strs(dig(jc, "args"))
	pc := checkArgs(t, "Job", args)
	shard := pc.Flag("shard").Value.String()
	m := regexp.MustCompile(`^\$\(JOB_COMPLETION_INDEX\)/(\d+)$`).FindStringSubmatch(shard)
	if pc.Name() != "predict" || m == nil || m[1] != strconv.Itoa(dig(job, "spec", "completions").(int)) {
		t.Errorf("Job: predict --shard %q over %v completions", shard, dig(job, "spec", "completions"))
	}
	if dig(jc, "env", "0", "name") != "JOB_COMPLETION_INDEX" {
		t.Error("the Job's container does not get JOB_COMPLETION_INDEX")
	}
	if pc.Flag("out").Value.String() == "" || pc.Flag("manifest").Value.String() == "" {
		t.Error("the Job needs --out and --manifest")
	}

	rt := docs["ClusterServingRuntime"][0]
	isvc := docs["InferenceService"][0]
	rc := dig(rt, "spec", "containers", "0")
	rcmd := checkArgs(t, "ServingRuntime", strs(dig(rc, "args")))
	ck, _ := rcmd.Flags().GetStringArray("checkpoint")
	if rcmd.Name() != "serve" || len(ck) != 1 || ck[0] != "{{.Name}}=/mnt/models" {
		t.Errorf("ServingRuntime: serve --checkpoint %v (want the InferenceService's name at /mnt/models)", ck)
	}
	if !slices.Contains(strs(dig(rt, "spec", "protocolVersions")), "v2") {
		t.Error("the runtime does not declare protocol v2")
	}
	if dig(rt, "spec", "supportedModelFormats", "0", "name") != dig(isvc, "spec", "predictor", "model", "modelFormat", "name") ||
		dig(isvc, "spec", "predictor", "model", "runtime") != dig(rt, "metadata", "name") {
		t.Error("the InferenceService does not use the runtime's model format and name")
	}
	for _, probe := range []string{"readinessProbe", "livenessProbe"} {
		if p, _ := dig(rc, probe, "httpGet", "path").(string); !ok(p) {
			t.Errorf("runtime %s %q", probe, p)
		}
	}
}

// TestDockerfile: a static (CGO_ENABLED=0) build, a distroless or scratch
// final stage, a non-root user, and a default command the binary accepts
// whose port is the one exposed.
func TestDockerfile(t *testing.T) {
	b, err := os.ReadFile("../../deploy/Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	var from, user, expose string
	var cmdArgs []string
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "FROM":
			from = f[1]
		case "USER":
			user = f[1]
		case "EXPOSE":
			expose = f[1]
		case "CMD":
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "CMD ")), &cmdArgs); err != nil {
				t.Fatalf("CMD is not an exec-form JSON array: %v", err)
			}
		}
	}
	if !strings.Contains(text, "CGO_ENABLED=0") {
		t.Error("the build is not static (CGO_ENABLED=0)")
	}
	if !strings.Contains(from, "distroless/static") && from != "scratch" {
		t.Errorf("final stage FROM %s: want distroless static or scratch", from)
	}
	if uid, _, _ := strings.Cut(user, ":"); user == "" || uid == "0" || uid == "root" {
		t.Errorf("USER %q: want a non-root user", user)
	}
	cmd := checkArgs(t, "Dockerfile CMD", cmdArgs)
	if _, port, _ := net.SplitHostPort(cmd.Flag("addr").Value.String()); cmd.Name() != "serve" || port != expose {
		t.Errorf("CMD serves on port %s, EXPOSE %s", port, expose)
	}
}
