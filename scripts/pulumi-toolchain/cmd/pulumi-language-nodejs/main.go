// Command pulumi-language-nodejs is a minimal Node.js language host for the Pulumi engine.
//
// Why the kit has its own: the upstream host lives in the separately versioned module
// github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3, which is never tagged and which the Go module
// proxy reachable from our build machines refuses to serve (403 "This module version is not available" for every
// version, list and commit query we tried). The engine side (pkg/v3, sdk/v3) is served, so this host implements the
// LanguageRuntime gRPC service from sdk/v3's protocol and hands the actual work to the Node.js SDK's own entry point
// (@pulumi/pulumi/cmd/run), exactly as the upstream host does. It supports what the kit needs: running a program
// (TypeScript through the project's ts-node), with config, secrets, preview and parallelism, and running a
// Node.js policy pack (`pulumi preview --policy-pack DIR`, through @pulumi/pulumi/cmd/run-policy-pack). Code
// generation, templates, plugin packing and dependency installation are left unimplemented; the engine tolerates
// that for `up`, `preview`, `refresh` and `destroy`.
//
// Protocol: the engine starts the host with its own gRPC address as the last argument (earlier arguments are
// logging and tracing flags); the host prints the port it listens on as the first line of stdout.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"

	pbempty "google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// version is stamped at build time with -ldflags "-X main.version=...".
var version = "0.0.0-dev"

// userActionableExit is the exit code @pulumi/pulumi/cmd/run uses after it has already reported the error to the
// engine; the host must then tell the engine to bail without printing a second message.
const userActionableExit = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
}

func main() {
	var engineAddress string
	for _, arg := range os.Args[1:] {
		if !strings.HasPrefix(arg, "-") {
			engineAddress = arg
		}
	}
	h := &host{engineAddress: engineAddress}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: %v\n", err)
		os.Exit(1)
	}
}

func (h *host) Handshake(_ context.Context, req *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *host) GetPluginInfo(context.Context, *pbempty.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

// GetRequiredPlugins and GetRequiredPackages report none: the kit's programs use only dynamic providers, which
// run through the pulumi-resource-pulumi-nodejs shim and are never downloaded.
func (h *host) GetRequiredPlugins(context.Context, *pulumirpc.GetRequiredPluginsRequest) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *host) GetRequiredPackages(context.Context, *pulumirpc.GetRequiredPackagesRequest) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *host) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return nil, status.Errorf(codes.FailedPrecondition, "node not found on PATH: %v", err)
	}
	return &pulumirpc.AboutResponse{Executable: "node", Version: strings.TrimSpace(string(out))}, nil
}

func (h *host) GetProgramDependencies(context.Context, *pulumirpc.GetProgramDependenciesRequest) (*pulumirpc.GetProgramDependenciesResponse, error) {
	return &pulumirpc.GetProgramDependenciesResponse{}, nil
}

// Run starts @pulumi/pulumi/cmd/run in Node.js for the program and waits for it.
func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	info := req.GetInfo()
	programDir := req.GetPwd()
	entryPoint := req.GetProgram()
	rootDir := programDir
	var options map[string]any
	if info != nil {
		programDir = info.GetProgramDirectory()
		rootDir = info.GetRootDirectory()
		entryPoint = info.GetEntryPoint()
		options = info.GetOptions().AsMap()
	}
	if entryPoint == "" {
		entryPoint = "."
	}
	runScript, err := findRunScript(programDir)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}

	args := nodeArgs(options)
	args = append(args, runScript,
		"--monitor="+req.GetMonitorAddress(),
		"--engine="+h.engineAddress,
		"--project="+req.GetProject(),
		"--stack="+req.GetStack(),
		"--pwd="+programDir,
		"--root-directory="+rootDir,
	)
	if org := req.GetOrganization(); org != "" {
		args = append(args, "--organization="+org)
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if p := req.GetParallel(); p > 0 {
		args = append(args, "--parallel="+strconv.Itoa(int(p)))
	}
	args = append(args, entryPoint)
	args = append(args, req.GetArgs()...)

	env, err := programEnv(req, options)
	if err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, "node", args...)
	cmd.Dir = programDir
	cmd.Env = env
	// The engine reads the host's stdout and stderr and shows them as the program's output.
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if exitErr.ExitCode() == userActionableExit {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", exitErr.ExitCode())}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not run node: %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// nodeArgs turns the `nodeargs` runtime option of Pulumi.yaml into arguments for node.
func nodeArgs(options map[string]any) []string {
	if s, ok := options["nodeargs"].(string); ok && strings.TrimSpace(s) != "" {
		return strings.Fields(s)
	}
	return nil
}

// programEnv passes config and secret keys the way @pulumi/pulumi reads them (PULUMI_CONFIG and
// PULUMI_CONFIG_SECRET_KEYS, both JSON), and the TypeScript options of Pulumi.yaml.
func programEnv(req *pulumirpc.RunRequest, options map[string]any) ([]string, error) {
	env := os.Environ()
	config, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	env = append(env, "PULUMI_CONFIG="+string(config))
	if keys := req.GetConfigSecretKeys(); len(keys) > 0 {
		secretKeys, err := json.Marshal(keys)
		if err != nil {
			return nil, err
		}
		env = append(env, "PULUMI_CONFIG_SECRET_KEYS="+string(secretKeys))
	}
	typescript := true
	if v, ok := options["typescript"].(bool); ok {
		typescript = v
	}
	env = append(env, "PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(typescript))
	if p, ok := options["tsconfig"].(string); ok && p != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+p)
	}
	return env, nil
}

// RunPlugin runs a plugin written in Node.js for the engine. The engine asks for it to start a policy pack
// (kind "analyzer"): as upstream, @pulumi/pulumi/cmd/run-policy-pack runs the pack's directory with the engine's
// address, and its output (the port it serves on first) streams back to the engine.
func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	programDir := req.GetPwd()
	if info := req.GetInfo(); info != nil && info.GetProgramDirectory() != "" {
		programDir = info.GetProgramDirectory()
	}
	entry := "run-plugin"
	if req.GetKind() == "analyzer" {
		entry = "run-policy-pack"
	}
	script, err := findSDKScript(programDir, entry)
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()
	args := append([]string{script}, req.GetArgs()...)
	args = append(args, programDir)
	cmd := exec.Command("node", args...)
	cmd.Dir = programDir
	cmd.Env = req.GetEnv()
	if len(cmd.Env) == 0 {
		cmd.Env = os.Environ()
	}
	cmd.Stdout = stdout
	cmd.Stderr = stderr
	code := 0
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if !errors.As(err, &exitErr) {
			return fmt.Errorf("could not run node: %w", err)
		}
		code = exitErr.ExitCode()
	}
	return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
}

// findRunScript looks for the Node.js SDK's run entry point in node_modules from dir upwards, as Node's own module
// resolution would.
func findRunScript(dir string) (string, error) {
	return findSDKScript(dir, "run")
}

// findSDKScript looks for @pulumi/pulumi/cmd/<entry> in node_modules from dir upwards.
func findSDKScript(dir, entry string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		candidate := filepath.Join(d, "node_modules", "@pulumi", "pulumi", "cmd", entry)
		if _, err := os.Stat(filepath.Join(candidate, "index.js")); err == nil {
			return candidate, nil
		}
		if parent := filepath.Dir(d); parent == d {
			break
		}
	}
	return "", fmt.Errorf("@pulumi/pulumi is not installed for the program in %s: run `npm install` there", dir)
}
