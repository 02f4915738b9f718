// A minimal client written against the TypeScript generated from schema/json: if the schema stops
// describing the wire (method tags, params, notification payloads), this file stops type-checking.

import type {
  AgentMessageDeltaNotification,
  ClientRequest,
  CommandExecOutputDeltaNotification,
  GetAccountRateLimitsResponse,
  JSONRPCMessage,
  RateLimitSnapshot,
  ServerNotification,
  ServerRequest,
  ThreadItem,
} from "./generated/protocol";

let nextId = 0;

export const initialize: ClientRequest = {
  id: nextId++,
  method: "initialize",
  params: {
    clientInfo: { name: "codegen_check", title: "Codegen Check", version: "0.0.1" },
    capabilities: { experimentalApi: true, optOutNotificationMethods: ["item/reasoning/textDelta"] },
  },
};

export const threadStart: ClientRequest = {
  id: nextId++,
  method: "thread/start",
  params: {
    cwd: "/repo",
    model: "gpt-5.1-codex",
    approvalPolicy: "on-request",
    sandbox: "workspace-write",
    config: { model_reasoning_effort: "high" },
    dynamicTools: [{ type: "function", name: "lookup_ticket", description: "Look up a ticket.", inputSchema: { type: "object" } }],
  },
};

export function turnStart(threadId: string, text: string): ClientRequest {
  return {
    id: `turn-${nextId++}`,
    method: "turn/start",
    params: {
      threadId,
      input: [{ type: "text", text, text_elements: [] }],
      effort: "medium",
      sandboxPolicy: { type: "readOnly", access: { type: "fullAccess" } },
    },
  };
}

/** A shell in a 40x120 PTY, streamed: its output comes as `command/exec/outputDelta`s. */
export const commandExecTty: ClientRequest = {
  id: nextId++,
  method: "command/exec",
  params: { command: ["bash", "-i"], processId: "shell-1", tty: true, size: { rows: 40, cols: 120 }, disableTimeout: true },
};

export function typeInto(processId: string, base64: string, closeStdin: boolean): ClientRequest {
  return { id: nextId++, method: "command/exec/write", params: { processId, deltaBase64: base64, closeStdin } };
}

export function resizeTo(processId: string, rows: number, cols: number): ClientRequest {
  return { id: nextId++, method: "command/exec/resize", params: { processId, size: { rows, cols } } };
}

export function terminate(processId: string): ClientRequest {
  return { id: nextId++, method: "command/exec/terminate", params: { processId } };
}

/** Base64 output chunks of streamed `command/exec` processes, keyed by `processId` and stream. */
const commandOutput = new Map<string, Array<string>>();

/** Agent message text assembled from deltas, keyed by item id. */
const agentText = new Map<string, string>();
/** The last known snapshot of every rate-limit bucket, keyed by limit id. */
const rateLimits = new Map<string, RateLimitSnapshot>();

export function handleNotification(notification: ServerNotification): void {
  switch (notification.method) {
    case "item/agentMessage/delta": {
      const params: AgentMessageDeltaNotification = notification.params;
      agentText.set(params.itemId, (agentText.get(params.itemId) ?? "") + params.delta);
      break;
    }
    case "account/rateLimits/updated": {
      const snapshot: RateLimitSnapshot = notification.params.rateLimits;
      const usedPercent: number | undefined = snapshot.primary?.usedPercent;
      rateLimits.set(snapshot.limitId ?? "codex", { ...rateLimits.get(snapshot.limitId ?? "codex"), ...snapshot });
      void usedPercent;
      break;
    }
    case "command/exec/outputDelta": {
      const params: CommandExecOutputDeltaNotification = notification.params;
      const stream: "stdout" | "stderr" = params.stream;
      const key = `${params.processId}/${stream}`;
      commandOutput.set(key, [...(commandOutput.get(key) ?? []), params.deltaBase64]);
      const capReached: boolean = params.capReached;
      void capReached;
      break;
    }
    case "item/completed": {
      const item: ThreadItem = notification.params.item;
      if (item.type === "agentMessage" && item.phase === "final_answer") {
        agentText.set(item.id, item.text);
      }
      break;
    }
    case "turn/completed": {
      const status: "inProgress" | "completed" | "interrupted" | "failed" = notification.params.turn.status;
      void status;
      break;
    }
    default:
      break;
  }
}

export function storeRateLimits(response: GetAccountRateLimitsResponse): void {
  for (const [limitId, snapshot] of Object.entries(response.rateLimitsByName ?? {})) {
    rateLimits.set(limitId, snapshot);
  }
}

export function answerServerRequest(request: ServerRequest): JSONRPCMessage {
  switch (request.method) {
    case "item/commandExecution/requestApproval":
      return { id: request.id, result: { decision: "acceptForSession" } };
    case "item/fileChange/requestApproval":
      return { id: request.id, result: { decision: "decline" } };
    case "item/tool/call":
      return {
        id: request.id,
        result: { contentItems: [{ type: "inputText", text: `no ${request.params.tool} here` }], success: false },
      };
    case "account/chatgptAuthTokens/refresh":
      return {
        id: request.id,
        result: { accessToken: "jwt", chatgptAccountId: request.params.previousAccountId ?? "", chatgptPlanType: null },
      };
    case "item/tool/requestUserInput": {
      const answers: { [key: string]: { answers: Array<string> } } = {};
      for (const question of request.params.questions) {
        answers[question.id] = { answers: [question.options?.[0]?.label ?? "yes"] };
      }
      return { id: request.id, result: { answers } };
    }
    case "mcpServer/elicitation/request": {
      const params = request.params;
      if (params.mode !== "form") {
        return { id: request.id, result: { action: "decline", content: null, _meta: null } };
      }
      // Accept the form with each field's default, or its first choice.
      const content: { [key: string]: string | number | boolean | Array<string> } = {};
      for (const [name, field] of Object.entries(params.requestedSchema.properties)) {
        if (field.default !== undefined && field.default !== null) {
          content[name] = field.default;
        } else if ("enum" in field) {
          content[name] = field.enum[0] ?? "";
        } else if ("oneOf" in field) {
          content[name] = field.oneOf[0]?.const ?? "";
        }
      }
      return { id: request.id, result: { action: "accept", content, _meta: null } };
    }
  }
}
